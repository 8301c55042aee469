"""``python -m bench.ecg`` (``make bench-ecg``): the built-in ECG engine against reference
annotations and beside NeuroKit2 and wfdb, written into docs/BENCHMARKS.md.

Sections: beat detection (EC57), beat classes, delineation (LUDB vs CSE tolerances),
rhythm (CinC 2017, CPSC 2021, LUDB), statements, speed. ``--only beats,speed`` runs a
subset; ``--no-doc`` only prints.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import time
from collections.abc import Callable

from bench.machine import cpu_model, git_revision, now, ram_gib, replace_section

SECTIONS: dict[str, str] = {
    "beats": "Beat detection (ANSI/AAMI EC57)",
    "beat_classes": "Beat classes",
    "delineation": "Wave delineation against LUDB's cardiologists",
    "rhythm": "Rhythm",
    "statements": "Statements",
    "speed": "Speed",
}


def _nested(body: list[str]) -> list[str]:
    """A section's own title gives way to ours; its headings go one level below it."""
    while body and (not body[0].strip() or body[0].startswith("## ")):
        body = body[1:]
    return [f"#{line}" if line.startswith("#") else line for line in body]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated sections")
    parser.add_argument("--no-doc", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    lines = [
        f"Run with `make bench-ecg` on {now()}: {cpu_model()}, {os.cpu_count()} cores, "
        f"{ram_gib():.0f} GiB, Python {platform.python_version()}, code {git_revision()}.",
    ]
    for name in chosen:
        started = time.perf_counter()
        section: Callable[[], list[str]] = importlib.import_module(f"bench.ecg.{name}").run
        body = _nested(section())
        took = time.perf_counter() - started
        block = ["", f"### {SECTIONS[name]}", "", *body, "", f"_(section ran in {took:.0f} s)_"]
        print("\n".join(block), flush=True)
        lines += block
    if not args.no_doc and len(chosen) == len(SECTIONS):
        replace_section("ecg-bench", "Built-in ECG interpretation", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
