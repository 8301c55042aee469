"""A file named on the command line, with the files a WFDB header needs from beside it."""

from __future__ import annotations

from pathlib import Path


def record_files(path: Path) -> dict[str, bytes]:
    """{name: bytes} for FILE and, for a WFDB .hea, the files of the same record beside it
    (the signal files may have any extension: .dat, .mat, PTB's .xyz; the reader takes the
    ones the header names and ignores annotation files)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file.")
    files = {path.name: path.read_bytes()}
    if path.suffix.lower() == ".hea":
        for sibling in path.parent.iterdir():
            same_record = sibling.stem == path.stem and sibling.suffix.lower() != ".hea"
            if same_record and sibling.is_file():
                files[sibling.name] = sibling.read_bytes()
    return files
