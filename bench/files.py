"""``python -m bench.files``: clinical file intake speed, each beside its anchor.

1. A 2,048 x 2,500 CR radiograph (built from the NEMA WG04 RG1 chest CR, JPEG 2000):
   our read + de-identify (PS3.15 profile and burned-in text OCR) + window render,
   against pydicom's bare ``dcmread`` + ``pixel_array`` of the same file in the same
   process. Targets: at most 5x the anchor and at most 300 ms.
2. A 10 s, 12-lead, 500 Hz ECG (LUDB record 1) in each format the readers accept
   (WFDB, DICOM waveform, HL7 aECG, CSV): read + render the 12-lead SVG. Target: 100 ms.
   Anchor: ``wfdb.rdrecord`` of the same WFDB record.

Results replace the section between the ``files-bench`` markers in docs/BENCHMARKS.md
(``--no-doc`` only prints). No database, no server: the engines alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import wfdb

from bench.machine import cpu_model, git_revision, median_ms, replace_section
from hybridmd.engines.ecg import read_ecg, render_12lead_svg, write_dicom_waveform
from hybridmd.engines.imaging.benchmark import build_benchmark_file, measure, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]
LUDB = Path("ecg/ludb_12lead_delineation")
AECG = Path("ecg/dicom_hl7/ecg_hl7_aecg_example.xml")
ECG_TARGET_MS = 100.0

EcgRow = tuple[str, float, float, float]  # format, read ms, render ms, total ms


def _ecg_inputs(data: Path) -> dict[str, dict[str, bytes]]:
    folder = data / LUDB
    wfdb_files = {
        p.name: p.read_bytes() for p in folder.glob("1.*") if p.suffix in {".hea", ".dat"}
    }
    ecg = read_ecg(wfdb_files)
    header = ",".join(ecg.lead_names)
    rows = np.column_stack([ecg.leads[name] for name in ecg.lead_names])
    lines = [f"# fs={ecg.fs:g}", header, *(",".join(f"{v:.4f}" for v in row) for row in rows)]
    return {
        "WFDB (.hea + .dat)": wfdb_files,
        "DICOM 12-lead waveform": {"1.dcm": write_dicom_waveform(ecg)},
        "HL7 aECG (the sample, 500 Hz)": {AECG.name: (data / AECG).read_bytes()},
        "CSV": {"1.csv": ("\n".join(lines) + "\n").encode()},
    }


def ecg_rows(data: Path, runs: int) -> tuple[float, list[EcgRow]]:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("1.hea", "1.dat"):
            (Path(folder) / name).write_bytes((data / LUDB / name).read_bytes())
        anchor = median_ms(lambda: wfdb.rdrecord(str(Path(folder) / "1")), runs)
    rows = []
    for label, files in _ecg_inputs(data).items():
        read_ms = median_ms(partial(read_ecg, files), runs)
        render_ms = median_ms(partial(render_12lead_svg, read_ecg(files)), runs)
        rows.append((label, read_ms, render_ms, read_ms + render_ms))
    return anchor, rows


def _image_row(image: dict[str, Any]) -> str:
    stages = image["stages_ms"]
    ok = "met" if image["meets_5x"] and image["meets_300ms"] else "**missed**"
    return (
        f"| {image['columns']}×{image['rows']} CR, {image['transfer_syntax']}, "
        f"{int(image['bytes']) // 1024:,} KB | {image['bare_pydicom_ms']} ms | "
        f"{image['pipeline_ms']} ms | {image['ratio']}× | {stages['read']} / "
        f"{stages['deidentify']} / {stages['render']} ms | ≤ 5× and ≤ 300 ms | {ok} |"
    )


def report(images: list[dict[str, Any]], anchor: float, ecg: list[EcgRow]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run with `python -m bench.files` on {now}: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, code {git_revision()}. Medians; one process.",
        "",
        "| radiograph | anchor: pydicom dcmread + pixel_array | ours: read + de-identify"
        " + render | ratio | stages (read / de-identify / render) | target | result |",
        "| --- | ---: | ---: | ---: | --- | --- | --- |",
        *(_image_row(image) for image in images),
        "",
        "| 10 s 12-lead 500 Hz ECG (LUDB 1) | read | render SVG | total | target | result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
        f"| anchor: `wfdb.rdrecord` of the WFDB record | {anchor:.1f} ms | | | | |",
    ]
    for label, read_ms, render_ms, total in ecg:
        result = "met" if total <= ECG_TARGET_MS else "**missed**"
        timings = f"{read_ms:.1f} ms | {render_ms:.1f} ms | {total:.1f} ms"
        lines.append(f"| {label} | {timings} | ≤ 100 ms | {result} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement")
    parser.add_argument("--no-doc", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()
    data = shared_data_dir()
    images: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for variant in ("uncompressed", "jpeg2000-lossy-10"):
            path = build_benchmark_file(Path(folder) / f"cr-{variant}.dcm", variant)
            images.append(measure(path, runs=args.runs))
    anchor, ecg = ecg_rows(data, args.runs * 3)
    section = report(images, anchor, ecg)
    print(section)
    if not args.no_doc:
        replace_section("files-bench", "Clinical file intake", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
