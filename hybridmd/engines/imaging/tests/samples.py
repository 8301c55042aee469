"""Where the shared sample files are, and small builders used by several test modules."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from pydicom import Dataset

from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

FONT_LATIN = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
FONT_KOREAN = Path("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")


SHARED_DATA = shared_data_or_placeholder()
MISSING_DATA_REASON = SHARED_DATA_MISSING
SIIM = (
    SHARED_DATA
    / "xray/chest_dicom/siim_cxr_1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm"
)
FAKE_MONO1 = SHARED_DATA / "xray/chest_dicom/Fake_MONOHR1.dcm"
RG1 = SHARED_DATA / "xray/chest_dicom/RG1_J2KI.dcm"
RG3_LOSSLESS = SHARED_DATA / "xray/extremity_dicom/RG3_J2KR.dcm"
RG3_LOSSY = SHARED_DATA / "xray/extremity_dicom/RG3_J2KI.dcm"
CSPINE = SHARED_DATA / "xray/dicom_misc/pydicom_CR_cspine_16x16_6154.dcm"
KOREAN_CHARSET = SHARED_DATA / "xray/dicom_misc/chrKoreanMulti.dcm"
WAVEFORM = SHARED_DATA / "ecg/dicom_hl7/waveform_ecg.dcm"
ECG_IMAGES = SHARED_DATA / "ecg/ecg_images"


def font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def burn_text(
    pixels: np.ndarray, lines: list[tuple[str, Path]], *, origin: tuple[int, int], size: int
) -> np.ndarray:
    """Draw white text lines (maximum value) into a copy of an 8-bit grey array."""
    canvas = PILImage.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    x, y = origin
    for text, face in lines:
        draw.text((x, y), text, fill=255, font=font(face, size))
        y += int(size * 1.6)
    return np.asarray(canvas)


def to_bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def read_dataset(data: bytes) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data))
