"""Refusing what is not a usable image: clearly, quickly, and with nothing but ImageReadError."""

from __future__ import annotations

import contextlib
import io
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom import Dataset
from pydicom.encaps import encapsulate, generate_frames
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from hybridmd.engines.imaging import ImageReadError, UidMap, read_image, sniff_image
from hybridmd.engines.imaging.deid import deidentify_dicom_bytes, deidentify_image, write_dicom

from .samples import CSPINE, MISSING_DATA_REASON, RG3_LOSSY, SHARED_DATA, SIIM, to_bytes

needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=MISSING_DATA_REASON)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in IHDR and has no pixel data at all."""

    def chunk(tag: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(tag + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def _small_dicom(**attributes: object) -> Dataset:
    ds = Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "CR"
    ds.PatientName = "HONG^GILDONG"
    ds.Rows, ds.Columns = 4, 4
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.arange(16, dtype=np.uint16).tobytes()
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


def test_empty_file_is_refused():
    with pytest.raises(ImageReadError, match=r"^The file is empty\.$"):
        read_image(b"", name="scan.dcm")


@pytest.mark.parametrize(
    "head",
    [b"MZ\x90\x00\x03" + bytes(300), b"\x7fELF\x02\x01\x01" + bytes(300), b"#!/bin/sh\nrm -rf /\n"],
    ids=["windows-exe", "elf", "script"],
)
def test_program_renamed_dcm_is_refused(head):
    assert sniff_image(head) is None
    with pytest.raises(ImageReadError) as caught:
        read_image(head, name="chest.dcm")
    assert str(caught.value) == "This is a program, not an image."


@pytest.mark.parametrize(
    ("head", "word"),
    [(b"GIF89a" + bytes(20), "GIF"), (b"%PDF-1.7\n", "PDF"), (b"II*\x00" + bytes(20), "TIFF")],
)
def test_other_formats_are_named(head, word):
    with pytest.raises(ImageReadError, match=word):
        read_image(head)


def test_unknown_bytes_are_refused():
    with pytest.raises(ImageReadError, match="not a DICOM, PNG or JPEG"):
        read_image(b"hello, this is text and not an image" * 10)


def test_a_20000_by_20000_png_is_refused_before_decoding():
    data = _png_header_only(20_000, 20_000)
    started = time.perf_counter()
    with pytest.raises(ImageReadError, match="too large"):
        read_image(data)
    assert time.perf_counter() - started < 0.5


def test_a_png_just_over_40_megapixels_is_refused_by_our_own_limit():
    with pytest.raises(ImageReadError, match="too large"):
        read_image(_png_header_only(7000, 6000))  # 42 MP: under Pillow's own bomb limit


def test_png_without_pixel_data_is_refused_as_damaged():
    with pytest.raises(ImageReadError, match="damaged"):
        read_image(_png_header_only(64, 64))


@needs_data
def test_truncated_dicom_is_refused():
    data = SIIM.read_bytes()
    for cut in (len(data) // 2, 400, 140):
        with pytest.raises(ImageReadError) as caught:
            read_image(data[:cut])
        assert "damaged" in str(caught.value) or "incomplete" in str(caught.value)
        # Library messages can quote header values: they are not chained into tracebacks.
        assert caught.value.__cause__ is None
        assert caught.value.__suppress_context__ or caught.value.__context__ is None


@needs_data
@pytest.mark.parametrize("damage", ["header zeroed", "truncated codestream"])
def test_corrupt_jpeg2000_is_refused(damage):
    ds = pydicom.dcmread(RG3_LOSSY)
    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    if damage == "header zeroed":
        frame = frame[:2] + bytes(200) + frame[202:]
    else:
        frame = frame[: len(frame) // 2]
    ds.PixelData = encapsulate([frame])
    with pytest.raises(ImageReadError, match="damaged or incomplete"):
        read_image(to_bytes(ds))


def test_unsupported_transfer_syntax_is_named():
    ds = _small_dicom()
    ds.file_meta.TransferSyntaxUID = UID("1.2.840.10008.1.2.4.100")  # MPEG2 video
    ds.PixelData = encapsulate([b"\x00\x00\x01\xb3" + bytes(64)])
    with pytest.raises(ImageReadError) as caught:
        read_image(to_bytes(ds))
    assert "MPEG2 Main Profile / Main Level transfer syntax" in str(caught.value)


def test_multiframe_is_refused_and_messages_carry_no_header_values():
    ds = _small_dicom(NumberOfFrames=2)
    ds.PixelData = np.arange(32, dtype=np.uint16).tobytes()
    with pytest.raises(ImageReadError) as caught:
        read_image(to_bytes(ds))
    assert "2 frames" in str(caught.value)
    assert "HONG" not in str(caught.value)


def test_raw_dicom_without_preamble_is_read():
    ds = _small_dicom()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, implicit_vr=True, little_endian=True)
    raw = buffer.getvalue()
    assert raw[128:132] != b"DICM"
    assert sniff_image(raw[:512]) == "dicom"
    image = read_image(raw)
    assert image.pixels.shape == (4, 4)
    assert image.pixels[3, 3] == 15


# ---------------------------------------------------------------------------- fuzzing

_PREFIXES = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    bytes(128) + b"DICM",
    b"\x08\x00\x05\x00CS",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes_only_ever_raise_image_read_error(prefix, body):
    try:
        image = read_image(prefix + body)
    except ImageReadError as error:
        message = str(error)
    else:
        message = "."
        assert image.rows > 0
        assert image.columns > 0
    assert message.endswith(".")


_CSPINE = CSPINE.read_bytes() if CSPINE.is_file() else b""


@needs_data
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, max(len(_CSPINE) - 1, 0)), st.integers(0, 255)), max_size=12
    ),
    cut=st.one_of(st.none(), st.integers(0, max(len(_CSPINE), 1))),
)
def test_fuzz_mutated_dicom_only_ever_raises_image_read_error(edits, cut):
    data = bytearray(_CSPINE)
    for position, value in edits:
        data[position] = value
    mutated = bytes(data[:cut] if cut is not None else data)
    with contextlib.suppress(ImageReadError):
        read_image(mutated)
    with contextlib.suppress(ImageReadError):
        deidentify_dicom_bytes(mutated, uid_map=UidMap())


# ---------------------------------------------------------------------------- pydicom's fixtures

PYDICOM_FILES = sorted(
    p
    for p in (Path(pydicom.__file__).parent / "data" / "test_files").rglob("*")
    if p.is_file() and p.suffix not in {".txt", ".icc", ".dump"}
)


@pytest.mark.parametrize("path", PYDICOM_FILES, ids=lambda p: p.name)
def test_pydicom_fixture_is_refused_clearly_or_round_trips(path):
    """pydicom's own odd files: big endian, no meta, RLE, JPEG-LS, palette, SR, RT, ..."""
    try:
        image = read_image(path.read_bytes())
    except ImageReadError as error:
        message = str(error)
        image = None
    if image is None:
        assert message.endswith(".")
        return
    cleaned, _ = deidentify_image(image, uid_map=UidMap(), find_text=False)
    assert cleaned.dataset is not None
    again = read_image(write_dicom(cleaned.dataset))
    assert again.source_meta["transfer_syntax_uid"] == ExplicitVRLittleEndian
    assert np.allclose(again.pixels, cleaned.pixels, atol=1e-3)
    assert again.dataset is not None
    assert again.dataset.PatientIdentityRemoved == "YES"
