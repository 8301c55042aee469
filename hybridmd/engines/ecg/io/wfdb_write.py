"""Write an ECG as a WFDB record: a .hea header and a format-16 .dat file."""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt

from hybridmd.engines.ecg.model import ECG, FloatArray

_RECORD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_INT16_LIMIT = 32766  # -32768 means "invalid sample" in format 16


def digitise(
    values: FloatArray, *, counts_per_mv: float = 1000.0
) -> tuple[float, npt.NDArray[np.int16]]:
    """A gain (counts per mV) and int16 samples: 1 µV steps unless the signal needs more range."""
    peak = float(np.max(np.abs(values))) if len(values) else 0.0
    gain = counts_per_mv
    if peak * gain > _INT16_LIMIT:
        gain = float(math.floor(_INT16_LIMIT / peak))
    return gain, np.rint(values * gain).astype(np.int16)


def write_wfdb(ecg: ECG, record_name: str) -> dict[str, bytes]:
    """{"<record>.hea": header, "<record>.dat": samples}, readable by read_ecg and wfdb."""
    if not _RECORD_NAME.match(record_name):
        raise ValueError("A WFDB record name is letters, digits, '_' and '-' (at most 64).")
    columns: list[npt.NDArray[np.int16]] = []
    lines = [f"{record_name} {len(ecg.leads)} {ecg.fs:.12g} {ecg.n_samples}{_start(ecg)}"]
    for name, values in ecg.leads.items():
        gain, digital = digitise(values)
        checksum = int(np.sum(digital, dtype=np.int64)) % 65536
        checksum = checksum - 65536 if checksum > 32767 else checksum
        label = " ".join(name.split()) or "ECG"
        lines.append(
            f"{record_name}.dat 16 {gain:g}(0)/mV 16 0 {int(digital[0])} {checksum} 0 {label}"
        )
        columns.append(digital)
    samples = np.column_stack(columns).astype("<i2")
    return {
        f"{record_name}.hea": ("\n".join(lines) + "\n").encode("utf-8"),
        f"{record_name}.dat": samples.tobytes(order="C"),
    }


def _start(ecg: ECG) -> str:
    if ecg.start is None:
        return ""
    start = ecg.start
    clock = f"{start:%H:%M:%S}"
    if start.microsecond:
        clock += f".{start.microsecond // 1000:03d}"
    return f" {clock} {start.day:02d}/{start.month:02d}/{start.year:04d}"
