"""Pacemaker spikes: found on the raw leads, cut out before QRS detection, and reported
when they lead QRS complexes in series.

A spike is a deflection far narrower than any QRS (a few ms) yet tall; a short median
filter keeps QRS complexes and removes such spikes, so the residual shows them.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.signal import find_peaks

from hybridmd.engines.ecg.analysis.filters import running_percentile
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray, IntArray

SPIKE_MEDIAN_S = 0.012
SPIKE_MAX_WIDTH_S = 0.004
SPIKE_MIN_MV = 1.0
SPIKE_NOISE_FACTOR = 10.0
SPIKE_LEADS_QRS_S = 0.3
SPIKE_ISOLATION = 0.4
SPIKE_SERIES_WINDOW_S = 10.0
SPIKE_SERIES_MIN = 3


def find_pacing_spikes(signals: list[FloatArray], usable: list[BoolArray], fs: float) -> IntArray:
    """Candidate pacemaker spikes: deflections far narrower than any QRS yet tall.

    A short median filter (12 ms) keeps QRS complexes and removes such spikes, so the
    residual shows them; a spike must stand out of the residual's local noise by a wide
    margin and be at most ~4 ms wide at half height. Spikes from all leads are merged.
    """
    found: list[int] = []
    width = max(3, round(SPIKE_MEDIAN_S * fs) | 1)
    max_width = max(2, round(SPIKE_MAX_WIDTH_S * fs))
    for x, ok in zip(signals, usable, strict=True):
        if x.size < 4 * width:
            continue
        residual = np.abs(x - ndimage.median_filter(x, size=width, mode="nearest"))
        # The residual's local noise (over 1 s) so that noisy stretches raise the bar.
        spread = 1.4826 * running_percentile(residual, max(width, round(fs)), 50.0)
        threshold = np.maximum(SPIKE_MIN_MV, SPIKE_NOISE_FACTOR * spread)
        peaks, _props = find_peaks(residual, height=SPIKE_MIN_MV, width=(None, max_width))
        found.extend(
            int(p)
            for p in peaks
            if ok[p] and residual[p] > threshold[p] and _isolated(residual, int(p), width, fs)
        )
    if not found:
        return np.zeros(0, dtype=np.int64)
    unique = np.unique(np.asarray(found, dtype=np.int64))
    keep = np.concatenate(([True], np.diff(unique) > width))
    return np.asarray(unique[keep], dtype=np.int64)


def _isolated(residual: FloatArray, peak: int, width: int, fs: float) -> bool:
    """A spike stands alone: nothing within 50 ms around it comes near its size (bursts of
    muscle or electrode noise are trains of similar deflections)."""
    reach = max(width + 1, round(0.05 * fs))
    around = np.concatenate(
        (
            residual[max(0, peak - reach) : max(0, peak - width)],
            residual[peak + width + 1 : peak + reach],
        )
    )
    return bool(around.size == 0 or around.max() < SPIKE_ISOLATION * residual[peak])


def pacing_spikes(spikes: IntArray, r_peaks: IntArray, fs: float) -> IntArray:
    """Pacing spikes lead a QRS within 300 ms (an atrial spike by the programmed AV delay, a
    ventricular one by a few tens of ms) and come in series: at least three within 10 s.
    A lone spike is an artefact; failure to capture is therefore not reported."""
    if spikes.size == 0 or r_peaks.size == 0:
        return np.zeros(0, dtype=np.int64)
    following = np.searchsorted(r_peaks, spikes)
    next_beat = r_peaks[np.minimum(following, r_peaks.size - 1)]
    delay = np.where(following < r_peaks.size, next_beat - spikes, -1)
    leading = spikes[(delay >= 0) & (delay <= SPIKE_LEADS_QRS_S * fs)]
    half_window = SPIKE_SERIES_WINDOW_S * fs / 2
    in_series = [
        np.count_nonzero(np.abs(leading - spike) <= half_window) >= SPIKE_SERIES_MIN
        for spike in leading
    ]
    return np.asarray(leading[np.asarray(in_series, dtype=bool)], dtype=np.int64)


def remove_spikes(x: FloatArray, spikes: IntArray, fs: float) -> FloatArray:
    """The lead with each spike replaced by its short-median-filtered surroundings."""
    if spikes.size == 0:
        return x
    width = max(3, round(SPIKE_MEDIAN_S * fs) | 1)
    smooth = ndimage.median_filter(x, size=width, mode="nearest")
    cleaned = x.copy()
    half = width
    for spike in spikes:
        lo, hi = max(0, int(spike) - half), min(x.size, int(spike) + half + 1)
        cleaned[lo:hi] = smooth[lo:hi]
    return cleaned
