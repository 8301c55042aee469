"""Photo metadata: say what a PNG/JPEG carries besides pixels, and drop all of it.

Nothing is copied from the original file but the pixels: re-encoding from the decoded
array leaves EXIF (GPS, camera serials, dates, owner names), XMP, ICC profiles (whose
descriptions can name a device or a person), comments and PNG text chunks behind.
Reports name the kind of metadata only, never its value.
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
from PIL import ExifTags
from PIL import Image as PILImage

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.imaging.model import Image

_CAMERA_TAGS = {0x010F, 0x0110}  # Make, Model
_CAMERA_EXIF_TAGS = {0xA430, 0xA431, 0xA432, 0xA433, 0xA434, 0xA435}  # owner, serials, lens
_DATE_TAGS = {0x0132}  # DateTime
_DATE_EXIF_TAGS = {0x9003, 0x9004, 0x9010, 0x9011, 0x9012}  # DateTimeOriginal/Digitized, offsets
_TEXT_TAGS = {0x010E, 0x013B, 0x8298, 0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}
_TEXT_EXIF_TAGS = {0x9286}  # UserComment
_MAKER_NOTE = 0x927C
_SOFTWARE = 0x0131
_ORIENTATION = 0x0112
# Harmless image-structure tags: not worth telling the uploader about.
_STRUCTURE_TAGS = {0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0115, 0x011A, 0x011B, 0x0128,
                   0x0213, 0x8769, 0x8825, 0xA005, _ORIENTATION}  # fmt: skip
# PIL.Image.info keys that describe encoding, not content.
_HARMLESS_INFO = {"dpi", "gamma", "transparency", "srgb", "chromaticity", "aspect", "jfif",
                  "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression",
                  "adobe", "adobe_transform", "interlace", "exif", "icc_profile", "xmp",
                  "XML:com.adobe.xmp", "photoshop", "comment", "loop", "duration",
                  "default_image", "bbox", "mp", "mpoffset", "dqt", "quantization"}  # fmt: skip


def _exif_kinds(im: PILImage.Image) -> list[str]:
    exif = im.getexif()
    if not exif and "exif" not in im.info:
        return []
    kinds: list[str] = []
    if exif.get_ifd(ExifTags.IFD.GPSInfo):
        kinds.append("EXIF GPS")
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if _CAMERA_TAGS & set(exif) or _CAMERA_EXIF_TAGS & set(sub):
        kinds.append("EXIF camera")
    if _DATE_TAGS & set(exif) or _DATE_EXIF_TAGS & set(sub):
        kinds.append("EXIF date")
    if _TEXT_TAGS & set(exif) or _TEXT_EXIF_TAGS & set(sub):
        kinds.append("EXIF text")
    if _MAKER_NOTE in sub:
        kinds.append("EXIF maker note")
    if _SOFTWARE in exif:
        kinds.append("EXIF software")
    if exif.get_ifd(ExifTags.IFD.IFD1):
        kinds.append("EXIF thumbnail")
    known = _CAMERA_TAGS | _DATE_TAGS | _TEXT_TAGS | _STRUCTURE_TAGS | {_SOFTWARE}
    if set(exif) - known or set(sub) - _CAMERA_EXIF_TAGS - _DATE_EXIF_TAGS - _TEXT_EXIF_TAGS:
        kinds.append("EXIF other")  # exposure settings, vendor tags, ...
    return kinds or ["EXIF"]


def describe_photo_metadata(im: PILImage.Image) -> list[str]:
    """The kinds of metadata a decoded PIL image carries, e.g. ["EXIF GPS", "ICC profile"]."""
    kinds = _exif_kinds(im)
    info = im.info
    if "xmp" in info or "XML:com.adobe.xmp" in info:
        kinds.append("XMP")
    if "icc_profile" in info:
        kinds.append("ICC profile")
    if "comment" in info:
        kinds.append("JPEG comment")
    if "photoshop" in info:
        kinds.append("Photoshop data")
    text_chunks = getattr(im, "text", None)
    if text_chunks or any(key not in _HARMLESS_INFO for key in info):
        kinds.append("PNG text" if im.format == "PNG" else "other metadata")
    return list(dict.fromkeys(kinds))


def photo_metadata_report(image: Image) -> DeidReport:
    """What de-identifying this photo removes: the metadata found when it was read."""
    report = DeidReport()
    kinds = [k for k in image.source_meta.get("metadata", "").split(",") if k]
    for kind in kinds:
        report.add(kind, "removed", "the photo is re-encoded from its pixels only")
    return report


def encode_photo(image: Image, *, fmt: str = "PNG") -> bytes:
    """The pixels alone, as a new PNG (default) or JPEG file with no metadata at all."""
    pixels = image.pixels
    if pixels.dtype != np.uint8 and pixels.ndim == 2:
        pil = PILImage.fromarray(np.clip(pixels, 0, 65535).astype(np.uint16))
    else:
        pil = PILImage.fromarray(np.ascontiguousarray(pixels.astype(np.uint8)))
    buffer = BytesIO()
    if fmt.upper() == "JPEG":
        if pil.mode not in ("L", "RGB"):
            pil = pil.convert("L")
        pil.save(buffer, format="JPEG", quality=92)
    else:
        pil.save(buffer, format="PNG")
    return buffer.getvalue()


def strip_photo_metadata(data: bytes) -> tuple[bytes, DeidReport]:
    """Re-encode a PNG/JPEG upload from its pixels (EXIF orientation applied), same format.

    Raises :class:`~hybridmd.engines.imaging.errors.ImageReadError` for anything that is not
    a readable PNG or JPEG photo.
    """
    from hybridmd.engines.imaging.errors import ImageReadError  # noqa: PLC0415
    from hybridmd.engines.imaging.io import read_image  # noqa: PLC0415

    image = read_image(data)
    if image.kind != "photo":
        raise ImageReadError("This is not a PNG or JPEG photo.")
    fmt = image.source_meta.get("format", "PNG")
    return encode_photo(image, fmt=fmt), photo_metadata_report(image)
