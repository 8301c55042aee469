"""Reading uploads: what a file is (by content, never by name), and decoding it.

``read_image`` takes DICOM (CR, DX, MG, single-frame CT/MR, ...; compressed syntaxes
through pydicom's pylibjpeg/openjpeg/libjpeg plugins) and PNG/JPEG photos. Anything else,
and anything damaged, raises :class:`ImageReadError` with one plain sentence.
"""

from __future__ import annotations

import warnings
from io import BytesIO

import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps

from hybridmd.engines.imaging.deid.photo import describe_photo_metadata
from hybridmd.engines.imaging.dicom_reader import read_dicom
from hybridmd.engines.imaging.errors import ImageReadError
from hybridmd.engines.imaging.model import Image
from hybridmd.engines.imaging.secondary_capture import to_secondary_capture

__all__ = ["MAX_PHOTO_PIXELS", "read_image", "sniff_image", "to_secondary_capture"]

MAX_PHOTO_PIXELS = 40_000_000
HEAD_BYTES = 512

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_PROGRAMS = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O fat binary / Java class
    b"#!",  # script
    b"\x00asm",  # WebAssembly
)
_OTHER_FORMATS = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a compressed archive"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 codestream"),
)
_EXPLICIT_VRS = {
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FL", b"FD", b"IS", b"LO", b"LT",
    b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST",
    b"SV", b"TM", b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT", b"UV",
}  # fmt: skip


def _looks_like_raw_dicom(head: bytes) -> bool:
    """A DICOM data set without preamble: starts with a group 0002 or 0008 element."""
    if len(head) < 8:
        return False
    for order in ("little", "big"):
        group = int.from_bytes(head[0:2], order)
        element = int.from_bytes(head[2:4], order)
        if group not in (0x0002, 0x0008) or element > 0x0200:
            continue
        if head[4:6] in _EXPLICIT_VRS:
            return True
        length = int.from_bytes(head[4:8], "little")  # implicit VR: little endian only
        return order == "little" and 0 < length <= 1024 and length % 2 == 0
    return False


def sniff_image(head: bytes) -> str | None:
    """The kind of image in a file's first bytes (>= 132 for DICOM): dicom, png, jpeg or None."""
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_JPEG):
        return "jpeg"
    if _looks_like_raw_dicom(head):
        return "dicom"
    return None


def _not_an_image_message(head: bytes) -> str:
    if head.startswith(_PROGRAMS):
        return "This is a program, not an image."
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "This is a WebP image; upload a DICOM, PNG or JPEG image instead."
    if head[4:8] == b"ftyp":
        return "This is a HEIC or video file; upload a DICOM, PNG or JPEG image instead."
    for magic, what in _OTHER_FORMATS:
        if head.startswith(magic):
            return f"This is {what}; upload a DICOM, PNG or JPEG image instead."
    return "This file is not a DICOM, PNG or JPEG image."


def _photo_array(im: PILImage.Image) -> tuple[np.ndarray, str, int]:
    """Pixels as uint8 L / RGB (uint16 for 16-bit grey PNGs), photometric, bits stored."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im)
        if arr.size and (arr.min() < 0 or arr.max() > 65535):
            arr = np.clip(arr, 0, 65535)
        return arr.astype(np.uint16), "MONOCHROME2", 16
    if mode in ("L", "1", "LA", "La"):
        return np.asarray(im.convert("L")), "MONOCHROME2", 8
    return np.asarray(im.convert("RGB")), "RGB", 8


def _read_photo(data: bytes, kind: str) -> Image:
    fmt = "PNG" if kind == "png" else "JPEG"
    try:
        im = PILImage.open(BytesIO(data), formats=[fmt])
    except PILImage.DecompressionBombError as exc:
        raise ImageReadError(
            "The image is too large (more than 40 megapixels).", cause=exc
        ) from None
    except Exception as exc:
        raise ImageReadError(
            f"This {fmt} file is damaged and could not be read.", cause=exc
        ) from None
    with im:
        width, height = im.size
        if width <= 0 or height <= 0:
            raise ImageReadError(f"This {fmt} file is damaged and could not be read.")
        if width * height > MAX_PHOTO_PIXELS:  # checked before any pixel is decoded
            raise ImageReadError("The image is too large (more than 40 megapixels).")
        try:
            im.load()
        except Exception as exc:
            raise ImageReadError(f"This {fmt} file is damaged or incomplete.", cause=exc) from None
        metadata = describe_photo_metadata(im)
        orientation = int(im.getexif().get(0x0112, 1) or 1)
        upright = ImageOps.exif_transpose(im) if orientation != 1 else im
        pixels, photometric, bits = _photo_array(upright)
        meta = {"format": fmt, "mode": im.mode}
        if orientation != 1:
            meta["exif_orientation"] = str(orientation)
        if metadata:
            meta["metadata"] = ",".join(metadata)
        if getattr(im, "n_frames", 1) > 1:
            meta["frames"] = "first of several"
    rows, columns = pixels.shape[:2]
    return Image(pixels, "photo", "", photometric, rows, columns, None, [], bits, None, meta)


def read_image(data: bytes, *, name: str = "") -> Image:
    """Decode an upload by its content. ``name`` is never trusted nor echoed back."""
    del name  # the extension says nothing about the content
    if not data:
        raise ImageReadError("The file is empty.")
    head = bytes(data[:HEAD_BYTES])
    kind = sniff_image(head)
    if kind is None:
        raise ImageReadError(_not_an_image_message(head))
    try:
        with warnings.catch_warnings():
            # pydicom and Pillow warnings can quote header values; they must not reach logs.
            warnings.simplefilter("ignore")
            if kind == "dicom":
                return read_dicom(bytes(data), has_preamble=head[128:132] == b"DICM")
            return _read_photo(bytes(data), kind)
    except ImageReadError:
        raise
    except MemoryError as exc:
        raise ImageReadError("The image is too large to open.", cause=exc) from None
    except Exception as exc:
        what = "DICOM" if kind == "dicom" else kind.upper()
        raise ImageReadError(
            f"This {what} file is damaged and could not be read.", cause=exc
        ) from None
