"""The shared sample ECG databases, read in place: recordings through our readers,
reference annotations through wfdb.

    for name in record_names("mitdb"): ecg = load_record("mitdb", name)
    ann = load_annotations("mitdb", "100", "atr")
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import wfdb

from hybridmd.engines.ecg import ECG, read_ecg
from hybridmd.engines.ecg.analysis.types import IntArray
from hybridmd.engines.shared_data import shared_data_dir

FOLDERS = {
    "mitdb": "mitdb",
    "svdb": "svdb",
    "cpsc2021": "cpsc2021_af",
    "cinc2017": "cinc2017_af",
    "ludb": "ludb_12lead_delineation",
    "cinc2021": "cinc2021_12lead",
    "ptbxl": "ptbxl_12lead",
    "ptbdb": "ptbdb_12lead",
}

# Beat symbols that mark a QRS complex (wfdb's beat codes); everything else is rhythm,
# signal-quality or comment annotations that EC57 ignores.
QRS_SYMBOLS = frozenset("NLRBAaJSVrFejnE/fQ?")


def database_dir(database: str) -> Path:
    root = shared_data_dir()
    if root is None:
        raise FileNotFoundError("the shared sample data was not found")
    return root / "ecg" / FOLDERS[database]


def record_names(database: str) -> list[str]:
    folder = database_dir(database)
    return sorted({p.stem for p in folder.glob("*.hea")}, key=_natural)


def _natural(name: str) -> tuple[int, str]:
    digits = "".join(c for c in name if c.isdigit())
    return (int(digits) if digits and name.isdigit() else 0, name)


@cache
def load_record(database: str, name: str) -> ECG:
    """The record through ``read_ecg`` (the same path an upload takes: every file of the
    record goes in, and the reader ignores annotation files)."""
    folder = database_dir(database)
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.stem == name}
    return read_ecg(files)


@dataclass(frozen=True)
class Annotations:
    sample: IntArray
    symbol: list[str]
    aux_note: list[str]
    fs: float

    def beats(self) -> tuple[IntArray, list[str]]:
        """Only the QRS annotations: (samples, symbols)."""
        keep = [i for i, s in enumerate(self.symbol) if s in QRS_SYMBOLS]
        return self.sample[keep], [self.symbol[i] for i in keep]


def load_annotations(database: str, name: str, extension: str) -> Annotations:
    ann = wfdb.rdann(str(database_dir(database) / name), extension)
    aux = [(a or "").rstrip("\x00") for a in (ann.aux_note or [""] * len(ann.sample))]
    return Annotations(
        sample=np.asarray(ann.sample, dtype=np.int64),
        symbol=list(ann.symbol),
        aux_note=aux,
        fs=float(ann.fs or 0.0),
    )
