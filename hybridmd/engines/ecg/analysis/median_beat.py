"""Median beats: the leads filtered for measurement, cut into beat windows around the R
peaks, aligned by cross-correlation and reduced to one median beat per lead.

The median of many aligned beats is the clean template that 12-lead programs (GE 12SL,
Philips DXL) delineate and measure; noise and the atrial activity of AF average out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import signal

from hybridmd.engines.ecg.analysis.filters import butter_sos
from hybridmd.engines.ecg.analysis.types import FloatArray, IntArray

# The beat window around the R peak: long enough for a PR of 300 ms plus the P wave before,
# and for a QT of 600 ms after.
WINDOW_BEFORE_S = 0.50
WINDOW_AFTER_S = 0.80
# Alignment search: R peaks from a detector may sit on different points of the QRS.
ALIGN_MAX_LAG_S = 0.030
ALIGN_HALF_WIDTH_S = 0.060
# A median sample needs this share of the beats to have data there (edge beats are cut).
MIN_COVERAGE = 0.5
BASELINE_HIGHPASS_HZ = 0.5


@dataclass(frozen=True)
class Template:
    """The median beat of a group of beats and where each member was aligned."""

    leads: dict[str, FloatArray]  # median beat per lead, NaN where no beat has data
    r_index: int  # index of the R peak inside the template
    members: IntArray  # indices (into r_peaks) of the beats the template summarises
    centres: IntArray  # per member: the aligned sample of the R peak in the recording


def condition(values: FloatArray, fs: float) -> FloatArray:
    """Baseline wander removed with a zero-phase 0.5 Hz high-pass (AHA: no ST distortion)."""
    clean = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if clean.size < 3 * int(fs) or fs <= 2 * BASELINE_HIGHPASS_HZ:
        return np.asarray(clean - np.median(clean) if clean.size else clean, dtype=np.float64)
    sos = butter_sos(2, BASELINE_HIGHPASS_HZ, "highpass", fs)
    return np.asarray(signal.sosfiltfilt(sos, clean), dtype=np.float64)


def lowpass(values: FloatArray, fs: float, cutoff_hz: float) -> FloatArray:
    """Zero-phase low-pass; NaN-safe (NaNs are held at the nearest valid value first)."""
    data = np.asarray(values, dtype=np.float64)
    if data.size < 16 or cutoff_hz >= 0.45 * fs:
        return data.copy()
    finite = np.isfinite(data)
    if not finite.any():
        return np.zeros_like(data)
    if not finite.all():
        idx = np.arange(data.size)
        data = np.interp(idx, idx[finite], data[finite])
    sos = butter_sos(2, cutoff_hz, "lowpass", fs)
    padlen = min(data.size - 1, 3 * 6)
    return np.asarray(signal.sosfiltfilt(sos, data, padlen=padlen), dtype=np.float64)


def window_bounds(fs: float) -> tuple[int, int]:
    """(samples before the R peak, samples after it) of every beat window."""
    return round(WINDOW_BEFORE_S * fs), round(WINDOW_AFTER_S * fs)


def cut_beats(values: FloatArray, centres: IntArray, before: int, after: int) -> FloatArray:
    """One row per beat, NaN where the window runs off the recording."""
    n = values.size
    offsets = np.arange(-before, after + 1)
    positions = centres[:, None] + offsets[None, :]
    inside = (positions >= 0) & (positions < n)
    rows = np.full(positions.shape, np.nan)
    rows[inside] = values[positions[inside]]
    return rows


def _nanmedian_rows(rows: FloatArray) -> FloatArray:
    coverage = np.mean(np.isfinite(rows), axis=0) if rows.size else np.zeros(rows.shape[1])
    result = np.full(rows.shape[1], np.nan)
    enough = coverage >= MIN_COVERAGE
    if rows.shape[0] and enough.any():
        covered = rows[:, enough]
        # np.nanmedian goes through masked arrays, several times slower than np.median.
        median = np.nanmedian if np.isnan(covered).any() else np.median
        result[enough] = median(covered, axis=0)
    return result


def _alignment_lags(
    beats: list[FloatArray], template: list[FloatArray], centre: int, fs: float
) -> IntArray:
    """Per beat, the lag (samples) that best aligns its QRS with the template's."""
    max_lag = max(1, round(ALIGN_MAX_LAG_S * fs))
    half = max(2, round(ALIGN_HALF_WIDTH_S * fs))
    start, stop = centre - half, centre + half + 1
    count = beats[0].shape[0]
    best_lags = np.zeros(count, dtype=np.int64)
    best_scores = np.full(count, -np.inf)
    reference = np.concatenate([t[start:stop] for t in template])
    reference = np.nan_to_num(reference - np.nanmean(reference))
    for lag in range(-max_lag, max_lag + 1):
        shifted = np.concatenate([b[:, start + lag : stop + lag] for b in beats], axis=1)
        shifted = np.nan_to_num(shifted - np.nanmean(shifted, axis=1, keepdims=True))
        norms = np.linalg.norm(shifted, axis=1) * (np.linalg.norm(reference) or 1.0)
        scores = shifted @ reference / np.where(norms > 0, norms, 1.0)
        better = scores > best_scores
        best_scores[better] = scores[better]
        best_lags[better] = lag
    return best_lags


def build_template(
    leads: Mapping[str, FloatArray], fs: float, r_peaks: IntArray, members: IntArray
) -> Template | None:
    """The median beat of ``r_peaks[members]``, or None when there is no usable beat."""
    if members.size == 0 or not leads:
        return None
    before, after = window_bounds(fs)
    max_lag = max(1, round(ALIGN_MAX_LAG_S * fs))
    # Cut with room for the alignment lags on both sides.
    wide_before, wide_after = before + max_lag, after + max_lag
    centres = r_peaks[members].astype(np.int64)
    names = list(leads)
    wide = [cut_beats(leads[name], centres, wide_before, wide_after) for name in names]
    first_pass = [_nanmedian_rows(rows) for rows in wide]
    if members.size > 1 and all(
        np.isfinite(t[wide_before - max_lag : wide_before + max_lag + 1]).all() for t in first_pass
    ):
        lags = _alignment_lags(wide, first_pass, wide_before, fs)
        lags -= int(np.round(np.median(lags)))  # keep the template centred on the given R
    else:
        lags = np.zeros(members.size, dtype=np.int64)
    aligned = centres + lags
    medians = {
        name: _nanmedian_rows(cut_beats(leads[name], aligned, before, after)) for name in names
    }
    if all(not np.isfinite(m).any() for m in medians.values()):
        return None
    return Template(leads=medians, r_index=before, members=members, centres=aligned)
