"""The in-memory image every part of the imaging engine works on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydicom import Dataset


@dataclass
class Image:
    """A decoded radiograph (DICOM) or photo (PNG/JPEG).

    ``pixels`` is 2-D for grayscale (float32 modality values for DICOM, i.e. after the
    Modality LUT / rescale; uint8 or uint16 for photos) or H x W x 3 uint8 for colour.
    ``windows`` are the file's (center, width) VOI pairs, already in modality units.
    ``pixel_spacing_mm`` is (row spacing, column spacing): PixelSpacing if the file has a
    usable one, else ImagerPixelSpacing; ``source_meta["pixel_spacing_source"]`` says which.
    ``stored_pixels`` keeps the DICOM stored values (before the Modality LUT) so that
    de-identification can write changed pixels back exactly.
    """

    pixels: np.ndarray
    kind: str  # "dicom" | "photo"
    modality: str  # "CR", "DX", "MG", "CT", "MR", "OT", ... or "" for photos
    photometric: str  # "MONOCHROME1", "MONOCHROME2", "RGB"
    rows: int
    columns: int
    pixel_spacing_mm: tuple[float, float] | None
    windows: list[tuple[float, float]]
    bits_stored: int
    dataset: Dataset | None = None
    source_meta: dict[str, str] = field(default_factory=dict)
    stored_pixels: np.ndarray | None = field(default=None, repr=False)

    @property
    def is_color(self) -> bool:
        return self.pixels.ndim == 3

    @property
    def is_monochrome1(self) -> bool:
        return self.photometric == "MONOCHROME1"
