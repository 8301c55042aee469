"""De-identification of images: DICOM header profile, burned-in text, photo metadata."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
from pydicom import Dataset
from pydicom.pixels.utils import set_pixel_data
from pydicom.uid import ExplicitVRLittleEndian

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.imaging.deid.burned_in import find_burned_in_text, remove_burned_in_text
from hybridmd.engines.imaging.deid.dicom import (
    UidMap,
    deidentify_dataset,
    deidentify_dicom_bytes,
    write_dicom,
)
from hybridmd.engines.imaging.deid.photo import (
    encode_photo,
    photo_metadata_report,
    strip_photo_metadata,
)
from hybridmd.engines.imaging.deid.text_marks import TextBox, find_text_candidates
from hybridmd.engines.imaging.dicom_reader import lossy_method
from hybridmd.engines.imaging.errors import ImageReadError
from hybridmd.engines.imaging.model import Image

__all__ = [
    "TextBox",
    "UidMap",
    "deidentify_dataset",
    "deidentify_dicom_bytes",
    "deidentify_image",
    "encode_photo",
    "find_burned_in_text",
    "find_text_candidates",
    "remove_burned_in_text",
    "strip_photo_metadata",
    "write_dicom",
]


def _bits(arr: np.ndarray, declared: int) -> int:
    """Bits Stored for the array: the file's value unless its pixels do not fit in it."""
    bits = min(max(1, declared), arr.dtype.itemsize * 8)
    if arr.size:
        low, high = int(arr.min()), int(arr.max())
        signed = arr.dtype.kind == "i"
        top, bottom = (2 ** (bits - 1) - 1, -(2 ** (bits - 1))) if signed else (2**bits - 1, 0)
        if high > top or low < bottom:
            bits = arr.dtype.itemsize * 8
    return bits


def _store_pixels(ds: Dataset, image: Image) -> None:
    """Put the (possibly blacked-out) pixels in ``ds`` as Explicit VR Little Endian."""
    stored = image.stored_pixels if image.stored_pixels is not None else image.pixels
    original_syntax = str(ds.file_meta.get("TransferSyntaxUID", ""))
    for palette in [e.keyword for e in ds.group_dataset(0x0028) if "Palette" in e.keyword]:
        del ds[palette]  # palette images were expanded to RGB on reading
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    if image.is_color:
        arr = np.ascontiguousarray(stored, dtype=np.uint8)
        set_pixel_data(ds, arr, "RGB", 8, generate_instance_uid=False)
    else:
        arr = np.ascontiguousarray(stored)
        if arr.dtype.kind == "f":
            arr = np.rint(arr).astype(np.int16 if arr.min() < 0 else np.uint16)
        if arr.dtype.itemsize > 2:
            arr = arr.astype(np.int16 if arr.min() < 0 else np.uint16)
        bits = _bits(arr, image.bits_stored)
        set_pixel_data(ds, arr, image.photometric, bits, generate_instance_uid=False)
    method = lossy_method(original_syntax)
    if method or image.source_meta.get("lossy") == "yes":
        ds.LossyImageCompression = "01"  # once lossy, always lossy (PS3.3 C.7.6.1.1.5)
        if method and "LossyImageCompressionMethod" not in ds:
            ds.LossyImageCompressionMethod = method


_SWAP_WIDTH = {"OW": 2, "OL": 4, "OF": 4, "OD": 8, "OV": 8}


def _swap_binary(ds: Dataset) -> None:
    """Big endian -> little endian for the binary values pydicom keeps as raw bytes."""
    for elem in ds:
        if elem.VR == "SQ":
            for item in elem.value:
                _swap_binary(item)
        elif elem.VR in _SWAP_WIDTH and isinstance(elem.value, bytes):
            width = _SWAP_WIDTH[elem.VR]
            usable = len(elem.value) - len(elem.value) % width
            values = np.frombuffer(elem.value[:usable], dtype=f">u{width}")
            elem.value = values.astype(f"<u{width}").tobytes()


def _copy_without_pixels(original: Dataset) -> Dataset:
    """A deep copy of the header; Pixel Data is rewritten anyway, so it is not copied.

    The copy is little endian (it will be written as Explicit VR Little Endian): a big
    endian source has its parsed values re-encoded on writing and its raw OW/OL/OF/OD/OV
    values byte-swapped here.
    """
    ds = Dataset()
    for elem in original:
        if elem.tag != 0x7FE00010:
            ds.add(copy.deepcopy(elem))
    ds.file_meta = copy.deepcopy(original.file_meta)
    ds.preamble = original.preamble
    if original.original_encoding[1] is False:
        _swap_binary(ds)
    ds.set_original_encoding(False, True, original.original_character_set)
    return ds


def deidentify_image(
    image: Image, *, uid_map: UidMap, find_text: bool = True
) -> tuple[Image, DeidReport]:
    """A de-identified copy of ``image`` and what was changed.

    DICOM: the Basic Profile on a copy of the header, burned-in text blacked out, and the
    pixels stored uncompressed (Explicit VR Little Endian) in the copy's Pixel Data.
    Photos: burned-in text blacked out; the metadata found on reading is reported as
    removed (the Image holds pixels only; :func:`encode_photo` writes a clean file).
    The input is not modified; when no pixel changed, the copy shares its pixel arrays.
    """
    report = DeidReport()
    cleaned = image
    if find_text:
        cleaned, _, text_report = remove_burned_in_text(image)
        report.extend(text_report)
    meta = dict(cleaned.source_meta)
    meta["deidentified"] = "yes"
    if image.kind != "dicom" or image.dataset is None:
        report.extend(photo_metadata_report(image))
        meta.pop("metadata", None)
        return replace(cleaned, source_meta=meta), report

    ds = _copy_without_pixels(image.dataset)
    header = deidentify_dataset(ds, uid_map=uid_map)
    try:
        _store_pixels(ds, cleaned)
    except (ValueError, TypeError, NotImplementedError, AttributeError) as exc:
        raise ImageReadError("The de-identified pixels could not be stored.", cause=exc) from None
    meta["transfer_syntax"] = ExplicitVRLittleEndian.name
    meta["transfer_syntax_uid"] = str(ExplicitVRLittleEndian)
    header.extend(report)
    return replace(cleaned, dataset=ds, source_meta=meta), header
