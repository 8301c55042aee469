"""A file named on the command line, with the files a WFDB header needs from beside it."""

from __future__ import annotations

from pathlib import Path


def record_files(path: Path) -> dict[str, bytes]:
    """{name: bytes} for FILE, plus the .dat/.mat signal files beside a WFDB .hea."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file.")
    files = {path.name: path.read_bytes()}
    if path.suffix.lower() == ".hea":
        for sibling in path.parent.glob(path.stem + ".*"):
            if sibling != path and sibling.suffix.lower() in {".dat", ".mat"}:
                files[sibling.name] = sibling.read_bytes()
    return files
