"""Rendering: pydicom's VOI semantics, MONOCHROME1, presets, PNG encoding, distances."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pydicom
import pytest
from PIL import Image as PILImage
from pydicom.pixels.processing import apply_modality_lut, apply_windowing

from hybridmd.engines.imaging import (
    Image,
    distance_mm,
    read_image,
    render_png,
    thumbnail_png,
    window_presets,
)
from hybridmd.engines.imaging.render import encode_png, render_array, window_to_uint8, zlib_fast

from .samples import CSPINE, MISSING_DATA_REASON, RG1, SHARED_DATA, SIIM

needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=MISSING_DATA_REASON)


def _grey(pixels: np.ndarray, **overrides: object) -> Image:
    fields: dict[str, object] = {
        "pixels": pixels.astype(np.float32),
        "kind": "dicom",
        "modality": "CR",
        "photometric": "MONOCHROME2",
        "rows": pixels.shape[0],
        "columns": pixels.shape[1],
        "pixel_spacing_mm": None,
        "windows": [],
        "bits_stored": 12,
    }
    fields.update(overrides)
    return Image(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("function", ["LINEAR", "LINEAR_EXACT", "SIGMOID"])
def test_windowing_matches_pydicom_apply_windowing(function):
    ramp = np.arange(-200, 4300, 3, dtype=np.int32).reshape(1, -1)
    ds = pydicom.Dataset()
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsStored, ds.PixelRepresentation = 16, 0
    ds.WindowCenter, ds.WindowWidth = 1600, 2800
    ds.VOILUTFunction = function
    expected = apply_windowing(ramp.astype(np.float64), ds) * (255.0 / 65535.0)
    ours = window_to_uint8(ramp.astype(np.float32), 1600, 2800, function)
    assert np.abs(ours.astype(np.float64) - expected).max() <= 1.0


@needs_data
def test_sample_window_matches_pydicom_after_the_modality_lut():
    ds = pydicom.dcmread(CSPINE)  # rescale 0.684 / 200, window 1600 / 2800
    modality = apply_modality_lut(ds.pixel_array, ds)
    windowed = apply_windowing(modality, ds)
    low, high = 200.0, 4095 * 0.684 + 200.0  # pydicom's output range for 12 bits + rescale
    expected = 255 - (windowed - low) / (high - low) * 255  # MONOCHROME1
    rendered = render_array(read_image(CSPINE.read_bytes()))
    assert np.abs(rendered - expected).max() <= 1.0


@needs_data
def test_lookup_table_path_equals_the_float_path():
    image = read_image(RG1.read_bytes())
    assert image.windows == [(15000.0, 30000.0)]
    expected = 255 - window_to_uint8(image.pixels, 15000.0, 30000.0)
    assert np.array_equal(render_array(image), expected)
    explicit = render_array(image, center=9000.0, width=8000.0)
    assert np.array_equal(explicit, 255 - window_to_uint8(image.pixels, 9000.0, 8000.0))


def test_default_window_is_the_pixel_range_and_monochrome1_is_inverted():
    pixels = np.array([[100.0, 200.0], [300.0, 400.0]])
    assert render_array(_grey(pixels)).tolist() == [[0, 85], [170, 255]]
    assert render_array(_grey(pixels, photometric="MONOCHROME1")).tolist() == [[255, 170], [85, 0]]


def test_colour_photos_pass_through():
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    photo = Image(rgb, "photo", "", "RGB", 5, 7, None, [], 8)
    with PILImage.open(io.BytesIO(render_png(photo))) as im:
        assert im.mode == "RGB"
        assert np.array_equal(np.asarray(im), rgb)
    assert window_presets(photo) == []
    assert distance_mm(photo, (0, 0), (1, 1)) is None


def test_png_encoder_round_trips_and_thumbnails_shrink():
    rng = np.random.default_rng(1)
    for shape in [(1, 1), (3, 5), (600, 401), (4, 6, 3)]:
        arr = rng.integers(0, 256, shape, dtype=np.uint8)
        with PILImage.open(io.BytesIO(encode_png(arr))) as im:
            assert np.array_equal(np.asarray(im), arr)
    big = _grey(rng.integers(0, 4096, (1000, 600)).astype(np.float32))
    with PILImage.open(io.BytesIO(thumbnail_png(big, size=128))) as im:
        assert im.size == (77, 128)
    with PILImage.open(io.BytesIO(render_png(big, max_side=500))) as im:
        assert im.size == (300, 500)


def test_threaded_deflate_is_one_valid_stream():
    data = np.random.default_rng(2).integers(0, 9, 5_000_001, dtype=np.uint8).tobytes()
    assert zlib.decompress(zlib_fast(data)) == data
    assert zlib.decompress(zlib_fast(b"")) == b""


def test_ct_presets_are_hounsfield_windows():
    ct = _grey(np.linspace(-1000, 2000, 100).reshape(10, 10), modality="CT", windows=[(40, 400)])
    presets = {p["name"]: (p["center"], p["width"]) for p in window_presets(ct)}
    assert presets["file 1"] == (40, 400)
    assert presets["lung"] == (-600, 1500)
    assert presets["mediastinum"] == (40, 400)
    assert presets["bone"] == (400, 1800)
    assert presets["brain"] == (40, 80)


@needs_data
def test_radiograph_presets_follow_the_image_and_its_photometric():
    for path, monochrome1 in ((SIIM, False), (RG1, True)):
        image = read_image(path.read_bytes())
        presets = {p["name"]: p for p in window_presets(image)}
        assert {"default", "lung", "soft tissue", "bone"} <= set(presets)
        low, high = float(image.pixels.min()), float(image.pixels.max())
        for preset in presets.values():
            assert low <= preset["center"] <= high
            assert preset["width"] >= 1
        lung, bone = presets["lung"]["center"], presets["bone"]["center"]
        # Bone is displayed bright: higher values in MONOCHROME2, lower in MONOCHROME1.
        assert (lung > bone) if monochrome1 else (lung < bone)
    assert window_presets(read_image(RG1.read_bytes()))[0]["source"] == "file"


def test_distance_uses_row_and_column_spacing():
    image = _grey(np.zeros((4, 4)), pixel_spacing_mm=(0.2, 0.1))  # rows 0.2 mm, columns 0.1 mm
    assert distance_mm(image, (0, 0), (30, 0)) == pytest.approx(3.0)
    assert distance_mm(image, (0, 0), (0, 30)) == pytest.approx(6.0)
    assert distance_mm(image, (0, 0), (30, 20)) == pytest.approx(5.0)
