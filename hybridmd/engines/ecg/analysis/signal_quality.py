"""Per-lead signal quality: which samples can be trusted, and why the rest cannot.

Each lead is cut into short windows and every window is checked for:

- flat line / lead off: almost no amplitude at all (an electrode that came loose, or a
  lead the device did not record);
- saturation: runs of samples sitting at the lead's extreme value (amplifier at its rail);
- pure noise: no QRS-like energy, i.e. the band-passed signal is neither spiky (kurtosis,
  the kSQI of Li & Clifford) nor periodic at a heart rate between 30 and 250 bpm;
- muscle noise: high-frequency (> 40 Hz) content large against the QRS amplitude;
- huge baseline wander: several millivolts of drift within a few seconds.

``assess_leads`` gives the public per-sample verdict; ``lead_defects`` gives the masks one
by one so the beat detector can weigh leads softly (a lead with muscle noise still votes,
with a lower weight; a flat or saturated one does not vote).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.filters import bandpass, moving_average, remove_powerline
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray, LeadQuality

WINDOW_S = 2.0
NOISE_WINDOW_S = 6.0
FLAT_RANGE_MV = 0.02
SATURATION_MIN_S = 0.1
CLIP_MIN_RUN_S = 0.01
CLIP_MIN_RUNS = 3
NOISE_KURTOSIS = 4.0
NOISE_PERIODICITY = 0.35
MUSCLE_RATIO = 0.2
WANDER_RANGE_MV = 3.0
MAX_SEGMENTS_REPORTED = 4


@dataclass(frozen=True)
class LeadDefects:
    """One boolean mask per defect, each as long as the lead."""

    invalid: BoolArray  # NaN or infinite samples
    flat: BoolArray
    saturated: BoolArray  # long runs at the rail
    clipped: BoolArray  # short runs at the extreme (clipped R peaks)
    noise: BoolArray  # no QRS-like structure at all
    muscle: BoolArray
    wander: BoolArray

    @property
    def unusable(self) -> BoolArray:
        return np.asarray(
            self.invalid
            | self.flat
            | self.saturated
            | self.clipped
            | self.noise
            | self.muscle
            | self.wander
        )

    @property
    def silent(self) -> BoolArray:
        """Samples where the lead must not vote for beats at all."""
        return np.asarray(self.invalid | self.flat | self.saturated | self.noise)


def assess_leads(leads: Mapping[str, FloatArray], fs: float) -> dict[str, LeadQuality]:
    """Per lead: a usable flag per sample and short reasons with times for the rest."""
    return {name: describe(lead_defects(values, fs), fs) for name, values in leads.items()}


def describe(defects: LeadDefects, fs: float) -> LeadQuality:
    """Turns the masks into the public verdict with readable reasons."""
    n = defects.flat.size
    reasons: list[str] = []
    if n == 0:
        return LeadQuality(usable=np.zeros(0, dtype=bool), reasons=("no samples",))
    if defects.invalid.any():
        reasons.append(f"invalid samples {_percent(defects.invalid)}")
    if defects.flat.all():
        reasons.append("flat line")
    elif defects.flat.any():
        reasons.append(_segments("flat (lead off)", defects.flat, fs))
    if defects.saturated.any():
        reasons.append(_segments("saturated", defects.saturated, fs))
    if defects.clipped.any():
        reasons.append(f"clipped {_percent(defects.clipped)} of samples")
    noise = defects.noise & ~defects.flat
    if noise.size and noise.all():
        reasons.append("noise")
    elif noise.any():
        reasons.append(_segments("noise", noise, fs))
    for label, mask in (("muscle noise", defects.muscle), ("baseline wander", defects.wander)):
        if mask.any():
            reasons.append(_segments(label, mask, fs))
    usable = np.asarray(~defects.unusable)
    clipped = float(np.mean(defects.clipped | defects.saturated))
    return LeadQuality(usable=usable, reasons=tuple(reasons), clipped_fraction=clipped)


def lead_defects(values: FloatArray, fs: float) -> LeadDefects:
    """All defect masks of one lead; never raises (an odd input gives an all-bad lead)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    n = x.size
    empty = np.zeros(n, dtype=bool)
    if n == 0 or not np.isfinite(fs) or fs <= 0:
        everything = np.ones(n, dtype=bool)
        return LeadDefects(everything, everything, empty, empty, empty, empty, empty)
    invalid = ~np.isfinite(x)
    if invalid.any():
        x = np.where(invalid, 0.0, x)
    window = max(1, round(WINDOW_S * fs))
    flat = _window_mask(x, window, lambda w: float(np.ptp(w)) < FLAT_RANGE_MV) | invalid
    saturated, clipped = _rail_runs(x, fs)
    flat &= ~saturated  # a flat run at the lead's extreme is the amplifier's rail
    clipped &= ~flat
    clean = remove_powerline(x, fs)
    qrs_band = bandpass(clean, fs, 5.0, 25.0)
    noise = _noise_mask(qrs_band, fs) & ~flat
    muscle = _muscle_mask(clean, qrs_band, fs, window) & ~flat & ~noise
    drift = bandpass(x, fs, None, 0.7)
    wander = _window_mask(drift, window, lambda w: float(np.ptp(w)) > WANDER_RANGE_MV)
    return LeadDefects(invalid, flat, saturated, clipped, noise, muscle, wander & ~flat)


def _window_mask(x: FloatArray, window: int, is_bad: Callable[[FloatArray], bool]) -> BoolArray:
    mask = np.zeros(x.size, dtype=bool)
    for start in range(0, x.size, window):
        stop = min(x.size, start + window)
        # The last, shorter window is judged over a full window ending at the end.
        if is_bad(x[max(0, stop - window) : stop]):
            mask[start:stop] = True
    return mask


def _rail_runs(x: FloatArray, fs: float) -> tuple[BoolArray, BoolArray]:
    """Runs at the lead's own maximum or minimum: long ones saturated, short ones clipped."""
    span = float(np.ptp(x))
    saturated = np.zeros(x.size, dtype=bool)
    clipped = np.zeros(x.size, dtype=bool)
    if span <= 0:
        return saturated, clipped
    tolerance = 1e-9 + 1e-4 * span
    min_clip = max(3, round(CLIP_MIN_RUN_S * fs))
    min_saturation = max(min_clip + 1, round(SATURATION_MIN_S * fs))
    for at_rail in (x >= x.max() - tolerance, x <= x.min() + tolerance):
        runs = _runs(at_rail)
        short = [(a, b) for a, b in runs if min_clip <= b - a < min_saturation]
        for start, stop in runs:
            if stop - start >= min_saturation:
                saturated[start:stop] = True
        # One flat-topped peak is rounding; clipping cuts several complexes.
        if len(short) >= CLIP_MIN_RUNS:
            for start, stop in short:
                clipped[start:stop] = True
    return saturated, clipped


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(start, stop) of every run of True values."""
    if not mask.any():
        return []
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _noise_mask(qrs_band: FloatArray, fs: float) -> BoolArray:
    """Windows that are neither spiky nor periodic at a plausible heart rate."""
    window = max(1, round(NOISE_WINDOW_S * fs))
    mask = np.zeros(qrs_band.size, dtype=bool)
    for start in range(0, qrs_band.size, window):
        stop = min(qrs_band.size, start + window)
        # The last, shorter window is judged over a full window ending at the end.
        first = max(0, stop - window)
        chunk = qrs_band[first:stop]
        if chunk.size < int(fs) or _kurtosis(chunk) >= NOISE_KURTOSIS:
            continue
        if _periodicity(chunk, fs) < NOISE_PERIODICITY:
            mask[start:stop] = True
    return mask


def _kurtosis(x: FloatArray) -> float:
    centred = x - x.mean()
    variance = float(np.mean(centred**2))
    if not variance > 1e-12:  # flat (or numerically flat) windows have no shape
        return 0.0
    return float(np.mean((centred / np.sqrt(variance)) ** 4))


def _periodicity(qrs_band: FloatArray, fs: float) -> float:
    """Highest autocorrelation of the QRS energy envelope at 30-250 bpm lags (0 to 1)."""
    # Smoothed over 100 ms so that beat-to-beat jitter of a few samples keeps the peaks
    # of successive QRS complexes overlapping.
    envelope = moving_average(np.abs(qrs_band), round(0.1 * fs))
    envelope = envelope - envelope.mean()
    lo, hi = int(0.24 * fs), int(2.0 * fs)
    if envelope.size <= hi + 1 or not envelope.any():
        return 0.0
    spectrum = np.fft.rfft(envelope, n=2 * envelope.size)
    autocorr = np.fft.irfft(spectrum * np.conj(spectrum))[: envelope.size]
    if autocorr[0] <= 0:
        return 0.0
    return float(np.max(autocorr[lo:hi]) / autocorr[0])


def _muscle_mask(clean: FloatArray, qrs_band: FloatArray, fs: float, window: int) -> BoolArray:
    mask = np.zeros(clean.size, dtype=bool)
    if fs < 100:
        return mask  # nothing above 40 Hz to look at
    high = bandpass(clean, fs, 40.0, None)
    for start in range(0, clean.size, window):
        hf = high[start : start + window]
        qrs = qrs_band[start : start + window]
        if hf.size < 8:
            continue
        qrs_amplitude = float(np.percentile(qrs, 99.5) - np.percentile(qrs, 0.5))
        hf_level = 1.4826 * float(np.median(np.abs(hf - np.median(hf))))
        if qrs_amplitude > 0 and hf_level > MUSCLE_RATIO * qrs_amplitude:
            mask[start : start + window] = True
    return mask


def _percent(mask: BoolArray) -> str:
    share = 100.0 * float(np.mean(mask))
    if share < 0.1:
        return "<0.1%"
    return f"{share:.0f}%" if share >= 1 else f"{share:.1f}%"


def _segments(label: str, mask: BoolArray, fs: float) -> str:
    runs = _runs(mask)
    parts = [f"{a / fs:.1f}–{b / fs:.1f} s" for a, b in runs[:MAX_SEGMENTS_REPORTED]]
    more = len(runs) - MAX_SEGMENTS_REPORTED
    suffix = f" and {more} more" if more > 0 else ""
    return f"{label} {', '.join(parts)}{suffix}"
