"""Imaging pipeline benchmark: our read + de-identify + render vs pydicom's bare decode.

``measure(path)`` times, in one process and interleaved run by run, pydicom's
``dcmread(path).pixel_array`` against ``read_image`` + ``deidentify_image`` +
``render_png`` on the same file, and returns the medians.

The issue's target is a 2,048 x 2,500 CR. No sample has that size, so
``build_benchmark_file`` makes one from the NEMA WG04 chest CR (RG1, 1955 x 1841,
15-bit, MONOCHROME1) in the shared data folder, resized to 2,048 columns x 2,500 rows and
stored JPEG 2000 compressed by pydicom's pylibjpeg-openjpeg encoder: lossy at 10:1 (the
source file's own ratio) by default, or lossless, or uncompressed; a fourth variant has two
lines of demographics burned into a corner, so that the OCR cost shows as well.

Run ``python -m hybridmd.engines.imaging.benchmark [N]`` for all the variants.
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from pydicom.pixels.utils import set_pixel_data
from pydicom.uid import JPEG2000, ExplicitVRLittleEndian, JPEG2000Lossless

from hybridmd.engines.imaging.deid import UidMap, deidentify_image
from hybridmd.engines.imaging.io import read_image
from hybridmd.engines.imaging.render import render_png
from hybridmd.engines.shared_data import shared_data_dir as find_shared_data

ROWS, COLUMNS = 2500, 2048
SOURCE = Path("xray/chest_dicom/RG1_J2KI.dcm")
VARIANTS = {  # transfer syntax, JPEG 2000 compression ratio (None: lossless), burned text
    "jpeg2000-lossy-10": (JPEG2000, 10.0, False),
    "jpeg2000-lossless": (JPEG2000Lossless, None, False),
    "uncompressed": (ExplicitVRLittleEndian, None, False),
    "jpeg2000-lossy-10-with-text": (JPEG2000, 10.0, True),
}
TEXT = ("HONG GILDONG 1985-03-02", "ID 12345678  2024-01-02 10:11")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def shared_data_dir() -> Path:
    """The shared sample data folder (``hybridmd.engines.shared_data``); it must exist."""
    found = find_shared_data()
    if found is None:
        raise FileNotFoundError("the shared sample data folder was not found")
    return found


def build_benchmark_file(destination: Path, variant: str = "jpeg2000-lossy-10") -> Path:
    """Write the 2,048 x 2,500 CR benchmark file and return its path."""
    transfer_syntax, ratio, with_text = VARIANTS[variant]
    ds = pydicom.dcmread(shared_data_dir() / SOURCE)
    source = ds.pixel_array.astype(np.float32)
    resized = PILImage.fromarray(source, mode="F").resize(
        (COLUMNS, ROWS), PILImage.Resampling.BILINEAR
    )
    arr = np.clip(np.rint(np.asarray(resized)), 0, 2**15 - 1).astype(np.uint16)
    if with_text:  # what a CR with burned-in demographics looks like (MONOCHROME1: white = 0)
        canvas = PILImage.fromarray(np.zeros(arr.shape, dtype=np.uint8))
        size = 56
        font = ImageFont.truetype(str(FONT), size) if FONT.is_file() else None
        draw = ImageDraw.Draw(canvas)
        for line, text in enumerate(TEXT):
            draw.text((60, 60 + line * int(size * 1.5)), text, fill=255, font=font)
        arr[np.asarray(canvas) > 127] = 0
    ds.Rows, ds.Columns = ROWS, COLUMNS
    if transfer_syntax == ExplicitVRLittleEndian:
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        set_pixel_data(ds, arr, str(ds.PhotometricInterpretation), 15, generate_instance_uid=False)
    elif ratio is not None:
        ds.compress(transfer_syntax, arr, encoding_plugin="pylibjpeg", j2k_cr=[ratio])
    else:
        ds.compress(transfer_syntax, arr, encoding_plugin="pylibjpeg")
    ds.save_as(destination, enforce_file_format=True)
    return destination


def _bare(path: Path) -> None:
    ds = pydicom.dcmread(path)
    _ = ds.pixel_array


def _ours(path: Path) -> None:
    image = read_image(path.read_bytes())
    cleaned, _ = deidentify_image(image, uid_map=UidMap())
    render_png(cleaned)


def _stages(path: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    image = read_image(path.read_bytes())
    t1 = time.perf_counter()
    cleaned, _ = deidentify_image(image, uid_map=UidMap())
    t2 = time.perf_counter()
    render_png(cleaned)
    t3 = time.perf_counter()
    return {"read": t1 - t0, "deidentify": t2 - t1, "render": t3 - t2}


def _timed(function: Callable[[Path], None], path: Path) -> float:
    gc.collect()
    start = time.perf_counter()
    function(path)
    return time.perf_counter() - start


def measure(path: str | Path, runs: int = 7) -> dict[str, object]:
    """Median wall times (ms) of the bare pydicom decode and of our whole pipeline."""
    path = Path(path)
    _bare(path)  # warm up: imports, plugin discovery, Tesseract's first start
    _ours(path)
    bare: list[float] = []
    ours: list[float] = []
    stages: list[dict[str, float]] = []
    for _ in range(runs):
        bare.append(_timed(_bare, path))
        ours.append(_timed(_ours, path))
        stages.append(_stages(path))
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    bare_ms = statistics.median(bare) * 1000
    ours_ms = statistics.median(ours) * 1000
    return {
        "file": path.name,
        "rows": int(ds.Rows),
        "columns": int(ds.Columns),
        "transfer_syntax": ds.file_meta.TransferSyntaxUID.name,
        "bytes": path.stat().st_size,
        "runs": runs,
        "bare_pydicom_ms": round(bare_ms, 1),
        "pipeline_ms": round(ours_ms, 1),
        "ratio": round(ours_ms / bare_ms, 2),
        "stages_ms": {
            key: round(statistics.median(s[key] for s in stages) * 1000, 1)
            for key in ("read", "deidentify", "render")
        },
        "meets_5x": ours_ms <= 5 * bare_ms,
        "meets_300ms": ours_ms <= 300,
    }


def main(argv: list[str]) -> int:
    runs = int(argv[1]) if len(argv) > 1 else 7
    with tempfile.TemporaryDirectory() as folder:
        for variant in VARIANTS:
            path = build_benchmark_file(Path(folder) / f"cr_2048x2500_{variant}.dcm", variant)
            print(variant, measure(path, runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
