"""DICOM bytes -> :class:`Image`: header checks, pixel decoding, Modality LUT, VOI windows.

Messages never quote a value from the file: transfer syntax and SOP class names come from
the standard's registry (pydicom's UID dictionary), never from free text in the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from io import BytesIO

import numpy as np
import pydicom
from pydicom import Dataset
from pydicom.pixels.decoders.base import get_decoder
from pydicom.pixels.processing import apply_color_lut, apply_modality_lut
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from hybridmd.engines.imaging.errors import ImageReadError
from hybridmd.engines.imaging.model import Image

MAX_PIXELS = 40_000_000  # per frame; the same limit as for photos

_NOT_IMAGE_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.9.": "a waveform (for example an ECG), not an image",
    "1.2.840.10008.5.1.4.1.1.88.": "a structured report, not an image",
    "1.2.840.10008.5.1.4.1.1.104.": "an encapsulated document, not an image",
    "1.2.840.10008.5.1.4.1.1.481.": "a radiotherapy object, not an image",
    "1.2.840.10008.5.1.4.1.1.11.": "a presentation state, not an image",
}
_LOSSY_SYNTAXES = {
    "1.2.840.10008.1.2.4.50": "ISO_10918_1",
    "1.2.840.10008.1.2.4.51": "ISO_10918_1",
    "1.2.840.10008.1.2.4.81": "ISO_14495_1",
    "1.2.840.10008.1.2.4.91": "ISO_15444_1",
    "1.2.840.10008.1.2.4.93": "ISO_15444_2",
    "1.2.840.10008.1.2.4.203": "ISO_15444_15",
}


def lossy_method(transfer_syntax: str) -> str | None:
    """The LossyImageCompressionMethod code for a lossy transfer syntax, else None."""
    return _LOSSY_SYNTAXES.get(transfer_syntax)


def uid_label(uid: str) -> str:
    """A registry name for a standard UID, else the UID itself (UIDs here are not PHI)."""
    known = UID(uid)
    return known.name if known.name != uid else uid


def parse_dicom(data: bytes, *, has_preamble: bool) -> Dataset:
    """Parse a DICOM file (with or without the 128-byte preamble) without decoding pixels."""
    try:
        ds = pydicom.dcmread(BytesIO(data), force=not has_preamble)
    except Exception as exc:
        raise ImageReadError(
            "This DICOM file is damaged or incomplete and could not be read.", cause=exc
        ) from None
    _ensure_transfer_syntax(ds)
    return ds


def _ensure_transfer_syntax(ds: Dataset) -> None:
    """Files without a file meta header (raw datasets) get the syntax pydicom read them in."""
    if "TransferSyntaxUID" in ds.file_meta:
        return
    implicit, little = ds.original_encoding
    if implicit is None or little is None:
        raise ImageReadError("This DICOM file is damaged or incomplete and could not be read.")
    if implicit:
        ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    else:
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def floats(value: object) -> list[float]:
    """DS/IS values (single or multi-valued) as floats; unusable entries are dropped."""
    if value is None:
        return []
    items = (
        list(value)
        if isinstance(value, Iterable) and not isinstance(value, str | bytes)
        else [value]
    )
    out: list[float] = []
    for item in items:
        try:
            number = float(item)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            out.append(number)
    return out


def _refuse_non_images(ds: Dataset) -> None:
    sop_class = str(ds.get("SOPClassUID", "") or "")
    for prefix, what in _NOT_IMAGE_CLASSES.items():
        if sop_class.startswith(prefix):
            raise ImageReadError(f"This DICOM file holds {what}.")
    if "WaveformSequence" in ds:
        raise ImageReadError("This DICOM file holds a waveform (for example an ECG), not an image.")
    if "PixelData" not in ds:
        if "SOPClassUID" not in ds or "Rows" not in ds:  # pydicom stops quietly at a cut
            raise ImageReadError("This DICOM file is damaged or incomplete and could not be read.")
        if "FloatPixelData" in ds or "DoubleFloatPixelData" in ds:
            raise ImageReadError(
                "This DICOM file stores floating-point pixels, which are not supported."
            )
        raise ImageReadError("This DICOM file contains no image (it has no pixel data).")


def _check_size(ds: Dataset) -> tuple[int, int]:
    try:
        rows, columns = int(ds.Rows), int(ds.Columns)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ImageReadError(
            "This DICOM file does not say how large its image is.", cause=exc
        ) from None
    if rows <= 0 or columns <= 0:
        raise ImageReadError("This DICOM file does not say how large its image is.")
    if frames > 1:
        raise ImageReadError(
            f"This DICOM file holds {frames} frames; only single-frame images can be read for now."
        )
    if rows * columns > MAX_PIXELS:
        raise ImageReadError("The image is too large (more than 40 megapixels).")
    return rows, columns


def _check_decoder(transfer_syntax: UID) -> None:
    label = uid_label(transfer_syntax)
    try:
        decoder = get_decoder(transfer_syntax)
    except NotImplementedError as exc:
        raise ImageReadError(
            f"This file uses the {label} transfer syntax, which cannot be decoded here.", cause=exc
        ) from None
    if not decoder.is_available:
        raise ImageReadError(
            f"This file uses the {label} transfer syntax, and no decoder for it is installed."
        )


def _decode(ds: Dataset) -> np.ndarray:
    try:
        arr = ds.pixel_array
    except MemoryError:
        raise
    except Exception as exc:
        raise ImageReadError(
            "The image data in this DICOM file is damaged or incomplete.", cause=exc
        ) from None
    if not isinstance(arr, np.ndarray) or arr.size == 0:
        raise ImageReadError("The image data in this DICOM file is damaged or incomplete.")
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)  # big endian files: native


def _to_uint8(arr: np.ndarray, bits: int) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    shift = max(0, bits - 8)
    return np.asarray(np.clip(arr.astype(np.int64) >> shift, 0, 255), dtype=np.uint8)


def _spacing(ds: Dataset) -> tuple[tuple[float, float] | None, str]:
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        values = floats(ds.get(keyword))
        if len(values) == 2 and all(v > 0 for v in values):
            return (values[0], values[1]), keyword
    return None, ""


def windows_of(ds: Dataset) -> list[tuple[float, float]]:
    centers, widths = floats(ds.get("WindowCenter")), floats(ds.get("WindowWidth"))
    return [(c, w) for c, w in zip(centers, widths, strict=False) if w > 0]


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword, "")
    return str(value).strip() if value is not None else ""


def _source_meta(ds: Dataset, transfer_syntax: UID) -> dict[str, str]:
    sop_class = _text(ds, "SOPClassUID")
    meta = {
        "transfer_syntax": uid_label(transfer_syntax),
        "transfer_syntax_uid": str(transfer_syntax),
        "sop_class": uid_label(sop_class) if sop_class else "",
        "sop_class_uid": sop_class,
        "body_part": _text(ds, "BodyPartExamined"),
        "view_position": _text(ds, "ViewPosition"),
        "laterality": _text(ds, "ImageLaterality") or _text(ds, "Laterality"),
        "photometric_original": _text(ds, "PhotometricInterpretation"),
        "voi_lut_function": (_text(ds, "VOILUTFunction") or "LINEAR").upper(),
        "frames": "1",
    }
    if "VOILUTSequence" in ds:
        meta["voi_lut_sequence"] = "yes"
    if lossy_method(str(transfer_syntax)) or _text(ds, "LossyImageCompression") == "01":
        meta["lossy"] = "yes"
    return {key: value for key, value in meta.items() if value}


def read_dicom(data: bytes, *, has_preamble: bool) -> Image:
    """Decode a single-frame DICOM image; raise :class:`ImageReadError` for anything else."""
    ds = parse_dicom(data, has_preamble=has_preamble)
    _refuse_non_images(ds)
    rows, columns = _check_size(ds)
    transfer_syntax = UID(ds.file_meta.TransferSyntaxUID)
    _check_decoder(transfer_syntax)
    arr = _decode(ds)
    if arr.shape[:2] != (rows, columns):
        raise ImageReadError("The image data in this DICOM file does not match its stated size.")
    meta = _source_meta(ds, transfer_syntax)
    spacing, spacing_source = _spacing(ds)
    if spacing_source:
        meta["pixel_spacing_source"] = spacing_source
        if spacing_source == "ImagerPixelSpacing":
            meta["pixel_spacing_note"] = "at the detector; not corrected for magnification"
    bits_stored = int(ds.get("BitsStored", 8 * arr.dtype.itemsize) or 8)
    photometric = _text(ds, "PhotometricInterpretation").upper()
    modality = _text(ds, "Modality").upper() or "OT"

    if photometric == "PALETTE COLOR":
        rgb = apply_color_lut(arr, ds)
        lut_bits = 16 if rgb.dtype.itemsize > 1 else 8
        pixels = _to_uint8(rgb, lut_bits)
        return Image(
            pixels, "dicom", modality, "RGB", rows, columns, spacing, [], 8, ds, meta, pixels
        )
    if arr.ndim == 3:  # colour; pydicom has already converted YBR to RGB
        pixels = _to_uint8(arr, bits_stored)
        return Image(
            pixels, "dicom", modality, "RGB", rows, columns, spacing, [], 8, ds, meta, pixels
        )

    if photometric not in ("MONOCHROME1", "MONOCHROME2"):
        photometric = "MONOCHROME2"
    if "ModalityLUTSequence" in ds:
        pixels = np.asarray(apply_modality_lut(arr, ds), dtype=np.float32)
    else:
        slope = (floats(ds.get("RescaleSlope")) or [1.0])[0]
        intercept = (floats(ds.get("RescaleIntercept")) or [0.0])[0]
        pixels = arr.astype(np.float32)
        if slope != 1.0:
            pixels *= np.float32(slope)
        if intercept != 0.0:
            pixels += np.float32(intercept)
        meta["rescale_slope"] = repr(slope)
        meta["rescale_intercept"] = repr(intercept)
    return Image(
        pixels,
        "dicom",
        modality,
        photometric,
        rows,
        columns,
        spacing,
        windows_of(ds),
        bits_stored,
        ds,
        meta,
        arr,
    )
