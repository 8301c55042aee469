"""The counts around a rhythm: mean rate, pauses, HRV and ectopy.

Pauses are RR intervals over 2.0 s. HRV (Task Force 1996) uses N-N intervals: both beats
N, 0.3-2.0 s, within 20 % of the local median of five; None with fewer than 10.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hybridmd.engines.ecg.analysis.beat_timing import sliding_nanmedian
from hybridmd.engines.ecg.analysis.types import FloatArray, HeartRateVariability, IntArray, Pause

PAUSE_THRESHOLD_S = 2.0
HRV_MIN_INTERVALS = 10
NO_HRV = HeartRateVariability(sdnn_ms=None, rmssd_ms=None, pnn50_pct=None)


def heart_rate_variability(rr_s: FloatArray, classes: Sequence[str]) -> HeartRateVariability:
    """SDNN, RMSSD, pNN50 (Task Force 1996) over clean N-N intervals."""
    normal = np.array([c == "N" for c in classes], dtype=np.bool_)
    keep = normal[:-1] & normal[1:] & (rr_s >= 0.3) & (rr_s <= 2.0)
    if np.count_nonzero(keep) >= 5:
        local = sliding_nanmedian(np.where(keep, rr_s, np.nan), 2, minimum=1)
        keep &= np.abs(rr_s - local) <= 0.2 * local
    if np.count_nonzero(keep) < HRV_MIN_INTERVALS:
        return NO_HRV
    nn_ms = 1000.0 * rr_s[keep]
    pairs = keep[:-1] & keep[1:]
    successive = 1000.0 * np.diff(rr_s)[pairs]
    rmssd = float(np.sqrt(np.mean(successive**2))) if successive.size else None
    pnn50 = float(100.0 * np.mean(np.abs(successive) > 50.0)) if successive.size else None
    return HeartRateVariability(
        sdnn_ms=float(np.std(nn_ms, ddof=1)), rmssd_ms=rmssd, pnn50_pct=pnn50
    )


def pauses(peaks: IntArray, fs: float) -> list[Pause]:
    rr_s = np.diff(peaks) / fs
    return [
        Pause(start=int(peaks[i]), end=int(peaks[i + 1]), duration_ms=1000.0 * float(rr_s[i]))
        for i in np.flatnonzero(rr_s > PAUSE_THRESHOLD_S)
    ]


def mean_rate(peaks: IntArray, fs: float) -> float | None:
    if peaks.size < 2 or peaks[-1] == peaks[0]:
        return None
    return 60.0 * (peaks.size - 1) / (float(peaks[-1] - peaks[0]) / fs)


def ectopy(classes: list[str]) -> tuple[int, int, float, float]:
    """PVC and PAC counts and their share of all beats (%)."""
    total = max(len(classes), 1)
    pvc = sum(1 for c in classes if c == "V")
    pac = sum(1 for c in classes if c == "S")
    return pvc, pac, 100.0 * pvc / total, 100.0 * pac / total
