"""Cheap search for text-like marks: where burned-in text could be, before any OCR.

Morphological top-hats of a <= 1024 px copy of the image (block max/min pooled, so thin
strokes survive) find thin strokes much brighter or darker than their surroundings;
strokes at the extreme values (where annotations are usually drawn) need less contrast.
Strokes are grouped into lines; a line is kept when it is word-shaped and a row through
it crosses at least three strokes (a wire, a clip or a rib edge does not). The running
max/min filters are numpy doubling windows: a few ms on a 1024 px image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from hybridmd.engines.imaging.model import Image

DETECT_SIDE = 1024
TOPHAT_SIZE = 15
TOPHAT_CONTRAST = 80


@dataclass(frozen=True)
class TextBox:
    """A region in full-resolution pixel coordinates (x, y = left, top)."""

    x: int
    y: int
    width: int
    height: int
    confidence: float = 0.0

    def padded(self, pad: int, rows: int, columns: int) -> TextBox:
        x0, y0 = max(0, self.x - pad), max(0, self.y - pad)
        x1 = min(columns, self.x + self.width + pad)
        y1 = min(rows, self.y + self.height + pad)
        return TextBox(x0, y0, x1 - x0, y1 - y0, self.confidence)

    def overlaps(self, other: TextBox) -> bool:
        return not (
            self.x + self.width <= other.x
            or other.x + other.width <= self.x
            or self.y + self.height <= other.y
            or other.y + other.height <= self.y
        )


def gray8(pixels: np.ndarray, low: float, high: float) -> np.ndarray:
    scale = 255.0 / max(high - low, 1e-6)
    out = (pixels.astype(np.float32) - np.float32(low)) * np.float32(scale)
    return np.asarray(np.clip(out + 0.5, 0, 255), dtype=np.uint8)


def grey_source(image: Image) -> np.ndarray:
    pixels = image.pixels
    return pixels.mean(axis=2, dtype=np.float32) if pixels.ndim == 3 else pixels


def _pooled(values: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Block max and block min over factor x factor blocks (strided, so it stays fast)."""
    if factor == 1:
        return values, values
    h, w = values.shape[0] // factor, values.shape[1] // factor
    first = values[0 : h * factor : factor, 0 : w * factor : factor]
    high, low = first.copy(), first.copy()
    for dy in range(factor):
        for dx in range(factor):
            if dy or dx:
                block = values[dy : h * factor : factor, dx : w * factor : factor]
                np.maximum(high, block, out=high)
                np.minimum(low, block, out=low)
    return high, low


def _window_filter(values: np.ndarray, size: int, axis: int, maximum: bool) -> np.ndarray:
    """1-D running max/min of ``size`` (centred), by doubling windows: a few numpy passes.

    Outside the image counts as neutral (0 for max, 255 for min), like scipy.ndimage's
    ``mode="constant"`` with that ``cval``.
    """
    op = np.maximum if maximum else np.minimum
    half = size // 2
    padding = [(0, 0), (0, 0)]
    padding[axis] = (half, size - 1 - half)
    current = np.pad(values, padding, constant_values=0 if maximum else 255)
    length = values.shape[axis]

    def shifted(array: np.ndarray, start: int, count: int) -> np.ndarray:
        return array[start : start + count] if axis == 0 else array[:, start : start + count]

    span = 1
    while span * 2 <= size:
        count = current.shape[axis] - span
        current = op(shifted(current, 0, count), shifted(current, span, count))
        span *= 2
    if span < size:  # the last step overlaps: [j, j + span) and [j + rest, j + size)
        rest = size - span
        count = current.shape[axis] - rest
        current = op(shifted(current, 0, count), shifted(current, rest, count))
    return shifted(current, 0, length)


def max_filter(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return _window_filter(_window_filter(values, size[0], 0, True), size[1], 1, True)


def min_filter(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return _window_filter(_window_filter(values, size[0], 0, False), size[1], 1, False)


@dataclass(frozen=True)
class Detection:
    """Candidate text lines, with the stroke masks (detection scale) they were found in."""

    boxes: list[TextBox]
    bright_text: list[bool]  # per box: light strokes on a darker background
    light_strokes: np.ndarray
    dark_strokes: np.ndarray
    factor: int


def _light_on_dark(
    bright8: np.ndarray, dark8: np.ndarray, light: np.ndarray, dark: np.ndarray
) -> bool:
    """Whether the light strokes stand out more from the region than the dark ones do
    (letters with holes, like Hangul, have both; the text is the more extreme set)."""
    middle = float(bright8.mean() + dark8.mean()) / 2.0
    lift = float(bright8[light].mean()) - middle if light.any() else 0.0
    drop = middle - float(dark8[dark].mean()) if dark.any() else 0.0
    return lift >= drop


def detect_text_marks(image: Image) -> Detection | None:
    """Candidate text lines and their stroke masks; None when nothing stroke-like is seen."""
    stored = image.stored_pixels
    # Any monotonic copy of the values will do; the stored integers are half the memory.
    values = stored if stored is not None and stored.ndim == 2 else grey_source(image)
    rows, columns = values.shape
    factor = max(1, math.ceil(max(rows, columns) / DETECT_SIDE))
    if min(rows, columns) // factor < 8:
        return None
    bright, dark = _pooled(values, factor)
    w = bright.shape[1]
    low, high = float(dark.min()), float(bright.max())
    bright8, dark8 = gray8(bright, low, high), gray8(dark, low, high)
    size = (TOPHAT_SIZE, TOPHAT_SIZE)
    white = bright8 - max_filter(min_filter(bright8, size), size)  # white top-hat
    black = min_filter(max_filter(dark8, size), size) - dark8  # black top-hat
    # Burned-in text is usually drawn at the extreme value: there, less contrast will do.
    light = (white >= TOPHAT_CONTRAST) | ((bright8 >= 250) & (white >= TOPHAT_CONTRAST // 3))
    shadow = (black >= TOPHAT_CONTRAST) | ((dark8 <= 5) & (black >= TOPHAT_CONTRAST // 3))
    strokes = light | shadow
    if not strokes.any():
        return None
    merged = max_filter(strokes.view(np.uint8), (3, 9)).astype(bool)
    labels, _ = ndimage.label(merged)
    boxes: list[TextBox] = []
    bright_text: list[bool] = []
    for index, region in enumerate(ndimage.find_objects(labels), start=1):
        if region is None:
            continue
        height = region[0].stop - region[0].start
        width = region[1].stop - region[1].start
        if not (6 <= height <= 120 and max(12, 1.2 * height) <= width <= 0.9 * w):
            continue
        own = labels[region] == index
        inside = strokes[region] & own
        if np.count_nonzero(inside) < 0.1 * height * width:
            continue
        rises = np.count_nonzero(np.diff(inside.view(np.int8), axis=1) == 1, axis=1)
        if rises.max() < 3:  # a line of text crosses several strokes; a wire or clip does not
            continue
        x, y = region[1].start * factor, region[0].start * factor
        boxes.append(TextBox(x, y, width * factor, height * factor))
        lit, shaded = light[region] & own, shadow[region] & own
        bright_text.append(_light_on_dark(bright8[region], dark8[region], lit, shaded))
    return Detection(boxes, bright_text, light, shadow, factor)


def find_text_candidates(image: Image) -> list[TextBox]:
    """Word-shaped clusters of high-contrast thin strokes, in full-resolution coordinates."""
    detection = detect_text_marks(image)
    return detection.boxes if detection is not None else []
