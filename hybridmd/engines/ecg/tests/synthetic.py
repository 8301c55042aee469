"""Small made-up recordings for tests that must not depend on the shared samples."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from hybridmd.engines.ecg import ECG, STANDARD_12


def beats(n: int, fs: float, *, shift: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """A crude ECG-like wave: a 1 Hz spike train on a slow sine, in mV."""
    t = np.arange(n) / fs
    spikes = np.exp(-(((t + shift) % 1.0 - 0.3) ** 2) / 0.0004)
    return scale * (1.2 * spikes + 0.1 * np.sin(2 * np.pi * 0.3 * t))


def make_ecg(
    leads: tuple[str, ...] = ("I", "II"),
    *,
    fs: float = 500.0,
    seconds: float = 2.0,
    start: datetime | None = None,
    meta: dict[str, str] | None = None,
) -> ECG:
    n = round(fs * seconds)
    return ECG(
        leads={
            name: beats(n, fs, shift=0.01 * i, scale=1 + 0.1 * i) for i, name in enumerate(leads)
        },
        fs=fs,
        start=start,
        source_meta=meta or {"format": "test"},
    )


def twelve_lead(**kwargs: object) -> ECG:
    return make_ecg(STANDARD_12, **kwargs)  # type: ignore[arg-type]
