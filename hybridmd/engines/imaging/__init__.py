"""Imaging engine: read DICOM radiographs and photos, de-identify them, render them.

Pure Python (numpy, pydicom, Pillow, Tesseract); no Django.
"""

from __future__ import annotations

from hybridmd.engines.imaging.deid import UidMap, deidentify_dicom_bytes, deidentify_image
from hybridmd.engines.imaging.errors import ImageReadError
from hybridmd.engines.imaging.io import read_image, sniff_image, to_secondary_capture
from hybridmd.engines.imaging.model import Image
from hybridmd.engines.imaging.render import (
    distance_mm,
    render_png,
    thumbnail_png,
    window_presets,
)

__all__ = [
    "Image",
    "ImageReadError",
    "UidMap",
    "deidentify_dicom_bytes",
    "deidentify_image",
    "distance_mm",
    "read_image",
    "render_png",
    "sniff_image",
    "thumbnail_png",
    "to_secondary_capture",
    "window_presets",
]
