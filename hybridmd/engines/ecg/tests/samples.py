"""Where the shared ECG samples live and how to group them into records.

The samples sit next to the repository (``<repo>/../shared/data/ecg``); they are never
copied into it. Records are grouped by their .hea files; annotation and metadata files
(.atr, per-lead LUDB files, REFERENCE.csv, ludb.csv...) ride along and must be ignored.
"""

from __future__ import annotations

import functools

from hybridmd.engines.ecg import ECG, read_ecg
from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

ECG_DATA = shared_data_or_placeholder() / "ecg"
HAVE_DATA = ECG_DATA.is_dir()
MISSING_REASON = SHARED_DATA_MISSING


def wfdb_records() -> list[str]:
    """ "folder/stem" for every WFDB header under the samples folder."""
    if not HAVE_DATA:
        return []
    return sorted(
        f"{hea.parent.name}/{hea.stem}" for hea in ECG_DATA.glob("*/*.hea") if hea.is_file()
    )


def files_of(folder: str, stem: str) -> dict[str, bytes]:
    """Every file of the record: <stem>.hea, its signal files and its annotation files."""
    return {
        path.name: path.read_bytes()
        for path in (ECG_DATA / folder).iterdir()
        if path.is_file() and path.name.startswith(f"{stem}.")
    }


@functools.cache
def load(record: str) -> ECG:
    """Each sample record is read once per test session."""
    folder, stem = record.split("/")
    return read_ecg(files_of(folder, stem))


@functools.cache
def load_single(relative: str) -> ECG:
    path = ECG_DATA / relative
    return read_ecg({path.name: path.read_bytes()})


def header_claims(folder: str, stem: str) -> tuple[int, float, int, int]:
    """(signals, fs, samples per signal, voltage signals) straight from the .hea text."""
    text = (ECG_DATA / folder / f"{stem}.hea").read_bytes().decode("latin-1")
    lines = [
        line.strip()
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if line.strip() and not line.strip().startswith("#")
    ]
    fields = lines[0].split()
    n_signals = int(fields[1])
    voltage = 0
    for line in lines[1 : 1 + n_signals]:
        gain = line.split()[2] if len(line.split()) > 2 else "200"
        units = gain.split("/", 1)[1] if "/" in gain else "mV"
        voltage += units.lower() in {"mv", "uv", "v"}
    return n_signals, float(fields[2]), int(fields[3]), voltage
