"""Every radiograph and ECG printout sample in the shared data folder reads and renders.

See the MANIFEST.md files: chrKoreanMulti.dcm is a character-set fixture with no pixel
data, and waveform_ecg.dcm is a 12-lead ECG waveform; both must be refused clearly.
"""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from PIL import Image as PILImage
from pydicom.pixels.processing import apply_modality_lut

from hybridmd.engines.imaging import (
    ImageReadError,
    distance_mm,
    read_image,
    render_png,
    thumbnail_png,
)
from hybridmd.engines.imaging.render import render_array

from .samples import (
    CSPINE,
    ECG_IMAGES,
    FAKE_MONO1,
    KOREAN_CHARSET,
    MISSING_DATA_REASON,
    RG1,
    RG3_LOSSLESS,
    RG3_LOSSY,
    SHARED_DATA,
    SIIM,
    WAVEFORM,
)

if not SHARED_DATA.is_dir():
    pytest.skip(MISSING_DATA_REASON, allow_module_level=True)

XRAY = sorted(p for p in (SHARED_DATA / "xray").rglob("*") if p.suffix.lower() in {".dcm", ".png"})
ECG = sorted(p for p in ECG_IMAGES.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})
NO_PIXEL_DATA = {KOREAN_CHARSET.name}


def test_the_sample_set_is_the_one_described_in_the_manifests():
    names = {p.name for p in XRAY + ECG}
    assert len(XRAY) == 9
    assert len(ECG) == 4
    assert {SIIM.name, FAKE_MONO1.name, RG1.name, RG3_LOSSY.name, CSPINE.name} <= names


def _png_array(data: bytes) -> np.ndarray:
    with PILImage.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return np.asarray(im)


@pytest.mark.parametrize("path", XRAY + ECG, ids=lambda p: p.name)
def test_sample_reads_like_its_header_and_renders(path):
    data = path.read_bytes()
    if path.name in NO_PIXEL_DATA:
        with pytest.raises(ImageReadError, match="no pixel data"):
            read_image(data, name=path.name)
        return
    image = read_image(data, name=path.name)
    if path.suffix == ".dcm":
        ds = pydicom.dcmread(path)
        assert image.kind == "dicom"
        assert (image.rows, image.columns) == (ds.Rows, ds.Columns)
        assert image.modality == ds.Modality
        assert image.photometric == ds.PhotometricInterpretation
        assert image.bits_stored == ds.BitsStored
        assert image.pixels.shape == (ds.Rows, ds.Columns)
        assert image.pixels.dtype == np.float32
        expected = apply_modality_lut(ds.pixel_array, ds)
        np.testing.assert_allclose(image.pixels, expected, rtol=1e-6, atol=1e-3)
        assert image.dataset is not None
        assert image.source_meta["transfer_syntax_uid"] == ds.file_meta.TransferSyntaxUID
    else:
        with PILImage.open(path) as im:
            assert (image.columns, image.rows) == im.size
        assert image.kind == "photo"
        assert image.modality == ""
        assert image.dataset is None
        expected_photometric = "MONOCHROME2" if image.pixels.ndim == 2 else "RGB"
        assert image.photometric == expected_photometric
    rendered = _png_array(render_png(image))
    assert rendered.shape[:2] == (image.rows, image.columns)
    assert rendered.dtype == np.uint8
    assert rendered.std() > 1.0  # not a blank picture
    assert max(_png_array(thumbnail_png(image)).shape[:2]) <= 256


def test_ecg_printouts_load_as_colour_photos():
    for path in ECG:
        image = read_image(path.read_bytes())
        assert image.kind == "photo"
        assert image.pixels.ndim == 3
        assert image.pixels.dtype == np.uint8


def test_waveform_dicom_is_refused_with_a_clear_message():
    with pytest.raises(ImageReadError) as caught:
        read_image(WAVEFORM.read_bytes(), name=WAVEFORM.name)
    assert (
        str(caught.value) == "This DICOM file holds a waveform (for example an ECG), not an image."
    )


def test_monochrome1_renders_as_the_inverse_of_its_monochrome2_sibling():
    # Fake_MONOHR1 is the SIIM image with only the photometric changed to MONOCHROME1.
    mono1 = render_array(read_image(FAKE_MONO1.read_bytes()))
    mono2 = render_array(read_image(SIIM.read_bytes()))
    assert abs(mono1.mean() - (255 - mono2.mean())) < 0.5
    assert np.array_equal(mono1.astype(np.int16), 255 - mono2.astype(np.int16))


def test_real_monochrome1_radiograph_shows_dense_parts_bright():
    image = read_image(RG3_LOSSY.read_bytes())
    rendered = render_array(image)
    stored = image.pixels
    dense = stored <= np.quantile(stored, 0.05)  # lowest values = most attenuation
    thin = stored >= np.quantile(stored, 0.95)
    assert rendered[dense].mean() > 200
    assert rendered[thin].mean() < 60


def test_lossy_and_lossless_jpeg2000_of_one_image_agree():
    lossless = read_image(RG3_LOSSLESS.read_bytes())
    lossy = read_image(RG3_LOSSY.read_bytes())
    assert lossless.source_meta["transfer_syntax_uid"] == "1.2.840.10008.1.2.4.90"
    assert lossy.source_meta["transfer_syntax_uid"] == "1.2.840.10008.1.2.4.91"
    assert np.abs(lossless.pixels - lossy.pixels).mean() < 0.01 * 1023


def test_windows_and_pixel_spacing_come_from_the_header():
    spine = read_image(CSPINE.read_bytes())
    assert spine.windows == [(1600.0, 2800.0)]
    assert spine.pixel_spacing_mm == (0.1, 0.1)
    assert spine.source_meta["pixel_spacing_source"] == "ImagerPixelSpacing"
    chest = read_image(SIIM.read_bytes())
    assert chest.source_meta["pixel_spacing_source"] == "PixelSpacing"
    assert distance_mm(chest, (0, 0), (100, 0)) == pytest.approx(16.8)
    rg1 = read_image(RG1.read_bytes())
    assert rg1.pixel_spacing_mm is None  # the file says 0 x 0 mm
    assert distance_mm(rg1, (0, 0), (3, 4)) is None
    assert rg1.windows == [(15000.0, 30000.0)]
