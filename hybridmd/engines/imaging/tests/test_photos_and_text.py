"""Photos (metadata, orientation, Secondary Capture) and burned-in text handling."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from PIL import ExifTags
from PIL import Image as PILImage
from scipy import ndimage

from hybridmd.engines.imaging import (
    Image,
    ImageReadError,
    UidMap,
    deidentify_image,
    read_image,
    to_secondary_capture,
)
from hybridmd.engines.imaging.deid import strip_photo_metadata
from hybridmd.engines.imaging.deid.burned_in import RISK_FLAGGED, RISK_FOUND, black_out
from hybridmd.engines.imaging.deid.dicom import write_dicom
from hybridmd.engines.imaging.deid.text_marks import (
    TextBox,
    find_text_candidates,
    max_filter,
    min_filter,
)

from .samples import (
    CSPINE,
    ECG_IMAGES,
    FONT_LATIN,
    MISSING_DATA_REASON,
    SHARED_DATA,
    burn_text,
    to_bytes,
)

needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=MISSING_DATA_REASON)
LATITUDE = ((37, 1), (33, 1), (5123, 100))  # 37°33'51.23" N, a hospital's roof


def _jpeg_with_exif(orientation: int = 1) -> bytes:
    pixels = np.zeros((48, 64, 3), dtype=np.uint8)
    pixels[:, :32] = (200, 30, 30)  # left half red, to check orientation
    im = PILImage.fromarray(pixels)
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X"
    exif[ExifTags.Base.Artist] = "HONG GILDONG"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:01:02 10:11:12"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SN-998877"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(n / d for n, d in LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (126.0, 58.0, 12.5)
    buffer = io.BytesIO()
    im.save(buffer, format="JPEG", exif=exif, quality=95, comment=b"patient HONG")
    return buffer.getvalue()


def test_exif_gps_and_camera_metadata_are_reported_and_stripped():
    data = _jpeg_with_exif()
    with PILImage.open(io.BytesIO(data)) as im:
        assert im.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really has GPS
    image = read_image(data, name="photo.jpg")
    kinds = image.source_meta["metadata"].split(",")
    assert {"EXIF GPS", "EXIF camera", "EXIF date", "EXIF text", "JPEG comment"} <= set(kinds)

    cleaned, report = deidentify_image(image, uid_map=UidMap(), find_text=False)
    removed = {c.where for c in report.changes if c.action == "removed"}
    assert {"EXIF GPS", "EXIF camera"} <= removed
    assert "metadata" not in cleaned.source_meta
    assert "HONG" not in str(report.as_dict())

    stripped, strip_report = strip_photo_metadata(data)
    assert {c.where for c in strip_report.changes} == set(kinds)
    with PILImage.open(io.BytesIO(stripped)) as im:
        assert im.format == "JPEG"
        assert not im.getexif()
        assert "comment" not in im.info
        assert "icc_profile" not in im.info
    for secret in (b"Exif", b"PhoneMaker", b"SN-998877", b"HONG", b"2024:01:02"):
        assert secret not in stripped


def test_exif_orientation_is_applied():
    image = read_image(_jpeg_with_exif(orientation=6))  # rotate 90° clockwise to view
    assert (image.rows, image.columns) == (64, 48)
    assert image.source_meta["exif_orientation"] == "6"
    assert image.pixels[0, 0, 0] > 150 > image.pixels[-1, 0, 0]  # the red half is now on top


def test_sixteen_bit_grey_png_keeps_its_depth():
    ramp = (np.arange(64 * 32, dtype=np.uint32).reshape(32, 64) * 31).astype(np.uint16)
    buffer = io.BytesIO()
    PILImage.fromarray(ramp).save(buffer, format="PNG")
    image = read_image(buffer.getvalue())
    assert image.pixels.dtype == np.uint16
    assert image.bits_stored == 16
    assert int(image.pixels.max()) == int(ramp.max())


def test_photo_is_wrapped_as_secondary_capture_without_identity():
    image = read_image(_jpeg_with_exif())
    cleaned, _ = deidentify_image(image, uid_map=UidMap(), find_text=False)
    ds = to_secondary_capture(cleaned)
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.PatientIdentityRemoved == "YES"
    assert ds.LossyImageCompression == "01"
    reread = pydicom.dcmread(io.BytesIO(write_dicom(ds)))
    assert "PatientName" in reread  # Type 2: present, and empty
    assert reread.PatientName == ""
    assert reread.PatientID == ""
    assert reread.StudyDate == ""
    assert reread.PhotometricInterpretation == "RGB"
    assert np.array_equal(reread.pixel_array, cleaned.pixels)
    assert to_secondary_capture(cleaned).StudyInstanceUID != ds.StudyInstanceUID
    assert read_image(write_dicom(ds)).kind == "dicom"


@needs_data
def test_dicom_images_are_not_wrapped_again():
    with pytest.raises(ValueError, match="Only photos"):
        to_secondary_capture(read_image(CSPINE.read_bytes()))


@needs_data
def test_strip_photo_metadata_refuses_dicom():
    with pytest.raises(ImageReadError, match="not a PNG or JPEG"):
        strip_photo_metadata(CSPINE.read_bytes())


# ---------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("shape", "size"), [((50, 37), (15, 15)), ((9, 9), (15, 15)), ((20, 30), (3, 9))]
)
def test_running_filters_equal_scipy(shape, size):
    values = np.random.default_rng(4).integers(0, 256, shape, dtype=np.uint8)
    expected_max = ndimage.maximum_filter(values, size, mode="constant", cval=0)
    expected_min = ndimage.minimum_filter(values, size, mode="constant", cval=255)
    assert np.array_equal(max_filter(values, size), expected_max)
    assert np.array_equal(min_filter(values, size), expected_min)


def test_no_candidates_on_a_smooth_image_and_one_line_on_burned_text():
    rng = np.random.default_rng(3)
    smooth = np.add.outer(np.linspace(0, 120, 300), np.linspace(0, 60, 400))
    smooth += rng.normal(0, 2, smooth.shape)
    assert find_text_candidates(_grey(smooth)) == []
    burned = burn_text(smooth, [("KIM 1234", FONT_LATIN)], origin=(30, 250), size=24)
    boxes = find_text_candidates(_grey(burned.astype(np.float32)))
    assert len(boxes) == 1
    box = boxes[0]
    assert 20 <= box.x <= 40
    assert 240 <= box.y <= 260
    assert 90 <= box.width <= 160


def _grey(pixels: np.ndarray, photometric: str = "MONOCHROME2") -> Image:
    rows, columns = pixels.shape
    return Image(pixels.astype(np.float32), "dicom", "CR", photometric, rows, columns, None, [], 8)


def test_black_out_uses_the_display_background():
    pixels = np.arange(100, dtype=np.float32).reshape(10, 10) + 10
    box = [TextBox(2, 2, 3, 3)]
    mono2 = black_out(_grey(pixels), box)
    assert mono2.pixels[3, 3] == 10  # minimum: black for MONOCHROME2
    mono1 = black_out(_grey(pixels, "MONOCHROME1"), box)
    assert mono1.pixels[3, 3] == 109  # maximum: black for MONOCHROME1
    assert mono1.pixels[9, 9] == pixels[9, 9]
    assert pixels[3, 3] == 43  # the input is not modified


@needs_data
def test_burned_in_annotation_yes_is_a_risk():
    ds = pydicom.dcmread(CSPINE)
    ds.BurnedInAnnotation = "YES"
    _, report = deidentify_image(read_image(to_bytes(ds)), uid_map=UidMap())
    assert RISK_FLAGGED in report.risks


@needs_data
def test_ecg_printout_text_is_found_and_blacked_out():
    path = ECG_IMAGES / "ecg00016.jpg"  # printed "Vent. rate", "Normal sinus rhythm", ...
    image = read_image(path.read_bytes())
    cleaned, report = deidentify_image(image, uid_map=UidMap())
    boxes = [c for c in report.changes if c.action == "blacked out"]
    assert len(boxes) >= 3
    assert RISK_FOUND in report.risks
    assert (cleaned.pixels == 0).all(axis=2).sum() > (image.pixels == 0).all(axis=2).sum()
    assert cleaned.source_meta["deidentified"] == "yes"
