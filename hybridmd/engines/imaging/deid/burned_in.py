"""Burned-in text: find it with Tesseract (kor+eng, sparse text) and black it out.

Tesseract costs ~0.2 s per call even on a tiny image, so radiographs are not OCRed
whole. A cheap pass (``text_marks``) first looks for text-like lines anywhere in the
image. Only those are OCRed, together, in one Tesseract call on a mosaic of crops scaled
to ~32 px text height and binarised around the detected strokes (dark ink on white). Regions where
OCR reads a word (>= 2 letters or digits, confidence >= ``MIN_CONFIDENCE``) are blacked
out whole, with the word boxes; unreadable ones too when they lie in the outer 20 % of
the image, where annotations are burned (elsewhere they only raise a risk). Single
characters (laterality markers "L"/"R") are kept.

Photos (ECG printouts, phone pictures), files whose header says BurnedInAnnotation YES,
and images with very many candidate regions are OCRed whole at <= 1600 px instead.
The recognised words are never returned, logged or reported: only their boxes.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace

import numpy as np
import pytesseract
from PIL import Image as PILImage

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.imaging.deid.text_marks import (
    Detection,
    TextBox,
    detect_text_marks,
    gray8,
    grey_source,
    max_filter,
)
from hybridmd.engines.imaging.model import Image

MIN_CONFIDENCE = 50.0
OCR_LANG = "kor+eng"
OCR_TIMEOUT_S = 60
PHOTO_OCR_SIDE = 1600
TEXT_HEIGHT_PX = 32
RISK_FOUND = "Text was found burned into the image; check it was removed."
RISK_FLAGGED = (
    "The file says text is burned into the image (Burned In Annotation is YES); "
    "check it was removed."
)
RISK_UNREAD = "Marks that may be text could not be read; check the image for names or numbers."
RISK_NO_OCR = "The image could not be checked for burned-in text; check it by eye."


def _ocr_words(gray: np.ndarray, min_confidence: float) -> list[TextBox]:
    """Confident word boxes (>= 2 letters or digits) from one Tesseract sparse-text call."""
    # Tesseract's OpenMP threads make small images ~4x slower; an explicit setting wins.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(
        PILImage.fromarray(gray),
        lang=OCR_LANG,
        config="--psm 11",
        output_type=pytesseract.Output.DICT,
        timeout=OCR_TIMEOUT_S,
    )
    words: list[TextBox] = []
    for text, conf, left, top, width, height in zip(
        data["text"],
        data["conf"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        strict=False,
    ):
        confidence = float(conf)
        if confidence < min_confidence or sum(ch.isalnum() for ch in str(text)) < 2:
            continue
        words.append(TextBox(int(left), int(top), int(width), int(height), confidence))
    return words


def _scaled(gray: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 0.05:
        return gray
    height, width = gray.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(PILImage.fromarray(gray).resize(size, PILImage.Resampling.BILINEAR))


def _otsu(gray: np.ndarray) -> int:
    """Otsu's threshold of an 8-bit array (pixels above it form the upper class)."""
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(histogram)
    mass = np.cumsum(histogram * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * weight - weight[-1] * mass) ** 2 / (weight * (weight[-1] - weight))
    return int(np.argmax(np.nan_to_num(between[:-1], nan=-1.0)))


def _text_only(detection: Detection, index: int, region: TextBox, crop8: np.ndarray) -> np.ndarray:
    """Dark text on white for Tesseract: the crop's Otsu class of the text's polarity, kept
    only near the detected strokes (so neighbouring anatomy does not become ink)."""
    f = detection.factor
    bright = detection.bright_text[index]
    strokes = detection.light_strokes if bright else detection.dark_strokes
    r0, c0 = region.y // f, region.x // f
    r1 = math.ceil((region.y + region.height) / f)
    c1 = math.ceil((region.x + region.width) / f)
    near = max_filter(strokes[r0:r1, c0:c1].view(np.uint8), (5, 5))
    near = np.repeat(np.repeat(near, f, axis=0), f, axis=1)
    near = near[region.y - r0 * f :, region.x - c0 * f :][: crop8.shape[0], : crop8.shape[1]]
    near_mask = near[: crop8.shape[0], : crop8.shape[1]].astype(bool)
    # The threshold comes from the strokes' neighbourhood only: text against its own
    # background, not against whatever anatomy the crop also caught.
    threshold = _otsu(crop8[near_mask] if near_mask.any() else crop8)
    ink = (crop8 > threshold) if bright else (crop8 <= threshold)
    ink &= near_mask
    return np.where(ink, 0, 255).astype(np.uint8)


def _ocr_whole(image: Image, min_confidence: float, side: int) -> list[TextBox]:
    pixels = grey_source(image)
    gray = pixels if pixels.dtype == np.uint8 else gray8(pixels, pixels.min(), pixels.max())
    scale = min(1.0, side / max(gray.shape))
    words = _ocr_words(_scaled(gray, scale), min_confidence)
    return [
        TextBox(
            int(b.x / scale),
            int(b.y / scale),
            math.ceil(b.width / scale),
            math.ceil(b.height / scale),
            b.confidence,
        )
        for b in words
    ]


def _ocr_candidates(
    image: Image, detection: Detection, min_confidence: float
) -> tuple[list[TextBox], list[TextBox]]:
    """OCR all candidate regions in one call; (regions with words, word boxes)."""
    pixels = grey_source(image)
    rows, columns = pixels.shape
    low, high = float(pixels.min()), float(pixels.max())
    crops: list[tuple[TextBox, float, np.ndarray]] = []
    for index, box in enumerate(detection.boxes):
        region = box.padded(max(4, box.height // 3), rows, columns)
        crop = pixels[region.y : region.y + region.height, region.x : region.x + region.width]
        scale = min(4.0, max(0.25, TEXT_HEIGHT_PX / max(box.height, 1)))
        ink = _text_only(detection, index, region, gray8(crop, low, high))
        crops.append((region, scale, _scaled(ink, scale)))
    gap = 12
    width = max(c.shape[1] for _, _, c in crops) + 2 * gap
    offsets: list[int] = []
    parts: list[np.ndarray] = []
    y = 0
    for _, _, crop in crops:
        part = np.full((crop.shape[0] + 2 * gap, width), 255, dtype=np.uint8)
        part[gap : gap + crop.shape[0], gap : gap + crop.shape[1]] = crop
        offsets.append(y + gap)
        parts.append(part)
        y += part.shape[0]
    words = _ocr_words(np.vstack(parts), min_confidence)
    found_regions: list[TextBox] = []
    found_words: list[TextBox] = []
    for word in words:
        centre = word.y + word.height / 2
        index = max(i for i, top in enumerate(offsets) if top - gap <= centre)
        region, scale, _ = crops[index]
        x = region.x + (word.x - gap) / scale
        y0 = region.y + (word.y - offsets[index]) / scale
        found_words.append(
            TextBox(
                max(0, int(x)),
                max(0, int(y0)),
                math.ceil(word.width / scale),
                math.ceil(word.height / scale),
                word.confidence,
            )
        )
        if region not in found_regions:
            found_regions.append(region)
    return found_regions, found_words


def _outermost(boxes: list[TextBox]) -> list[TextBox]:
    """The boxes not lying inside another one (word boxes within a blacked-out line)."""

    def inside(a: TextBox, b: TextBox) -> bool:
        return (
            a is not b
            and b.x <= a.x
            and b.y <= a.y
            and a.x + a.width <= b.x + b.width
            and a.y + a.height <= b.y + b.height
        )

    unique = list({(b.x, b.y, b.width, b.height): b for b in boxes}.values())
    return [a for a in unique if not any(inside(a, b) for b in unique)]


def _in_edge_band(box: TextBox, rows: int, columns: int, band: float = 0.2) -> bool:
    return (
        box.y + box.height <= band * rows
        or box.y >= (1 - band) * rows
        or box.x + box.width <= band * columns
        or box.x >= (1 - band) * columns
    )


def _flagged(image: Image) -> bool:
    ds = image.dataset
    return ds is not None and str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES"


def find_burned_in_text(
    image: Image, *, min_confidence: float = MIN_CONFIDENCE
) -> tuple[list[TextBox], bool]:
    """(boxes to black out, True if text-like marks were seen but not read)."""
    if image.kind == "photo" or _flagged(image):
        return _ocr_whole(image, min_confidence, PHOTO_OCR_SIDE), False
    detection = detect_text_marks(image)
    if detection is None or not detection.boxes:
        return [], False
    candidates = detection.boxes
    area = sum(b.width * b.height for b in candidates)
    if len(candidates) > 40 or area > 0.25 * image.rows * image.columns:
        return _ocr_whole(image, min_confidence, PHOTO_OCR_SIDE), False
    regions, words = _ocr_candidates(image, detection, min_confidence)
    unread = [c for c in candidates if not any(c.overlaps(r) for r in regions)]
    # Unreadable text-like lines at the edges, where annotations are burned, go too.
    edges = [c for c in unread if _in_edge_band(c, image.rows, image.columns)]
    return _outermost(regions + words + edges), len(unread) > len(edges)


def _background(image: Image) -> tuple[float, float | None]:
    """(modality value, stored value) of the display background: black."""
    if image.is_color or image.kind == "photo":
        return 0.0, 0.0
    darkest_is_max = image.is_monochrome1
    value = float(image.pixels.max() if darkest_is_max else image.pixels.min())
    stored = image.stored_pixels
    if stored is None:
        return value, None
    slope = float(image.source_meta.get("rescale_slope", "1.0") or 1.0)
    stored_max = darkest_is_max == (slope >= 0)
    return value, float(stored.max() if stored_max else stored.min())


def black_out(image: Image, boxes: list[TextBox]) -> Image:
    """A copy of ``image`` with every box set to the background (pixels and stored pixels)."""
    pixels = image.pixels.copy()
    stored = image.stored_pixels.copy() if image.stored_pixels is not None else None
    value, stored_value = _background(image)
    pad_base = max(2, max(image.rows, image.columns) // 400)
    for box in boxes:
        pad = max(pad_base, box.height // 8)
        b = box.padded(pad, image.rows, image.columns)
        pixels[b.y : b.y + b.height, b.x : b.x + b.width] = value
        if stored is not None and stored_value is not None:
            stored[b.y : b.y + b.height, b.x : b.x + b.width] = stored_value
    return replace(image, pixels=pixels, stored_pixels=stored)


def remove_burned_in_text(
    image: Image, *, min_confidence: float = MIN_CONFIDENCE
) -> tuple[Image, list[TextBox], DeidReport]:
    """Find and black out burned-in text; report boxes and risks, never the text."""
    report = DeidReport()
    if _flagged(image):
        report.risks.append(RISK_FLAGGED)
    try:
        boxes, unread = find_burned_in_text(image, min_confidence=min_confidence)
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, RuntimeError, OSError):
        report.risks.append(RISK_NO_OCR)
        return image, [], report
    if unread:
        report.risks.append(RISK_UNREAD)
    if not boxes:
        return image, [], report
    cleaned = black_out(image, boxes)
    for b in boxes:
        where = f"pixels x={b.x} y={b.y} w={b.width} h={b.height}"
        report.add(where, "blacked out", "burned-in text (OCR)")
    report.risks.append(RISK_FOUND)
    return cleaned, boxes, report
