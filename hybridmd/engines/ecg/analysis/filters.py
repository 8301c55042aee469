"""Small, general signal helpers shared by the analysis stages.

All filters are zero-phase (forward-backward) so that fiducial points do not move, and all
of them accept any sampling rate: cut-offs at or above Nyquist are clamped or skipped
instead of raising. Inputs are 1-D float arrays in millivolts.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
from scipy import ndimage, signal

from hybridmd.engines.ecg.analysis.types import FloatArray, IntArray

# filtfilt needs a signal longer than its padding; shorter signals are returned unfiltered.
_MIN_FILTER_SAMPLES = 32


def butter_sos(
    order: int, cutoff_hz: float | tuple[float, float], btype: str, fs: float
) -> FloatArray:
    """A Butterworth design in second-order sections, designed once per set of arguments
    (designing costs more than filtering a 10 s lead, and the stages reuse a few designs).
    A copy: scipy's filters want a writable array."""
    return _butter_design(order, cutoff_hz, btype, fs).copy()


@lru_cache(maxsize=256)
def _butter_design(
    order: int, cutoff_hz: float | tuple[float, float], btype: str, fs: float
) -> FloatArray:
    return np.asarray(signal.butter(order, cutoff_hz, btype=btype, fs=fs, output="sos"))


def _as_float(values: FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _sos_filtfilt(sos: FloatArray, values: FloatArray, padlen: int) -> FloatArray:
    """Forward-backward filtering, padded by even reflection to tame edge transients."""
    x = _as_float(values)
    if x.size < _MIN_FILTER_SAMPLES:
        return x.copy()
    padlen = min(x.size - 1, max(padlen, 3 * (2 * len(sos) + 1)))
    return np.asarray(signal.sosfiltfilt(sos, x, padtype="even", padlen=padlen), dtype=np.float64)


def _padding(fs: float, lowest_hz: float) -> int:
    """Three periods of the lowest frequency the filter acts on: its transient length."""
    return int(np.ceil(3.0 * fs / lowest_hz))


def bandpass(
    values: FloatArray, fs: float, low_hz: float | None, high_hz: float | None, order: int = 2
) -> FloatArray:
    """Zero-phase Butterworth band-pass; ``None`` for either edge makes it a high/low-pass.

    A high edge at or above 0.95 x Nyquist is dropped (nothing to remove there).
    """
    nyquist = fs / 2.0
    low = low_hz if low_hz is not None and 0 < low_hz < 0.95 * nyquist else None
    high = high_hz if high_hz is not None and 0 < high_hz < 0.95 * nyquist else None
    if low is not None and high is not None and low >= high:
        return _as_float(values).copy()
    if low is not None and high is not None:
        sos = butter_sos(order, (low, high), "bandpass", fs)
    elif low is not None:
        sos = butter_sos(order, low, "highpass", fs)
    elif high is not None:
        sos = butter_sos(order, high, "lowpass", fs)
    else:
        return _as_float(values).copy()
    lowest = low if low is not None else high
    return _sos_filtfilt(sos, values, _padding(fs, lowest or 1.0))


def notch(values: FloatArray, fs: float, mains_hz: float, quality: float = 30.0) -> FloatArray:
    """Zero-phase IIR notch at the mains frequency (50 or 60 Hz); skipped above Nyquist."""
    x = _as_float(values)
    if not 0 < mains_hz < 0.95 * fs / 2.0 or x.size < _MIN_FILTER_SAMPLES:
        return x.copy()
    b, a = signal.iirnotch(mains_hz, quality, fs=fs)
    sos = np.asarray(signal.tf2sos(b, a), dtype=np.float64)
    return _sos_filtfilt(sos, x, _padding(fs, mains_hz / quality))


def remove_powerline(values: FloatArray, fs: float) -> FloatArray:
    """Notches both 50 and 60 Hz: the mains frequency of a recording is rarely stated."""
    return notch(notch(values, fs, 50.0), fs, 60.0)


def remove_baseline(values: FloatArray, fs: float) -> FloatArray:
    """Baseline wander removal with two median filters (200 ms then 600 ms).

    The classic de Chazal approach: the 200 ms median removes QRS complexes and P waves, the
    600 ms median removes T waves, what remains is the baseline, which is subtracted. Unlike
    a high-pass filter it does not distort the ST segment.
    """
    x = _as_float(values)
    if x.size < 3:
        return x - (np.median(x) if x.size else 0.0)
    baseline = x
    for seconds in (0.2, 0.6):
        width = min(max(3, round(seconds * fs) | 1), x.size)
        baseline = np.asarray(ndimage.median_filter(baseline, width, mode="nearest"))
    return x - baseline


def resample(values: FloatArray, fs_in: float, fs_out: float) -> FloatArray:
    """Polyphase resampling (anti-aliased) from ``fs_in`` to ``fs_out``."""
    x = _as_float(values)
    if fs_in <= 0 or fs_out <= 0 or x.size == 0 or fs_in == fs_out:
        return x.copy()
    ratio = Fraction(fs_out / fs_in).limit_denominator(1000)
    if ratio.numerator == 0:
        return x[:0].copy()
    return np.asarray(
        signal.resample_poly(x, ratio.numerator, ratio.denominator, padtype="line"),
        dtype=np.float64,
    )


def moving_average(values: FloatArray, width: int) -> FloatArray:
    """Centred moving average over ``width`` samples (same length as the input)."""
    x = _as_float(values)
    width = min(max(1, int(width)), x.size)
    if width <= 1:
        return x.copy()
    kernel = np.full(width, 1.0 / width)
    return np.asarray(np.convolve(x, kernel, mode="same"), dtype=np.float64)


def running_percentile(x: FloatArray, block: int, percentile: float) -> FloatArray:
    """A percentile of each block, interpolated back to every sample (a fast running one)."""
    n_blocks = max(1, -(-x.size // block))
    values = [np.percentile(x[i * block : (i + 1) * block], percentile) for i in range(n_blocks)]
    centres = np.minimum((np.arange(n_blocks) + 0.5) * block, x.size - 1)
    return np.asarray(np.interp(np.arange(x.size), centres, values), dtype=np.float64)


def waveform_likeness(
    x: FloatArray, fs: float, at: int, others: IntArray, *, half_s: float, lag_s: float
) -> float:
    """Highest correlation of the 1-30 Hz waveform of ``x`` over +-``half_s`` around sample
    ``at`` with that around any of the samples ``others``, each shifted by up to ``lag_s``.
    1 when no comparison is possible (too close to the ends), so nothing is judged blindly.
    """
    half, lag = int(half_s * fs), int(lag_s * fs)
    if others.size == 0:
        return 1.0
    reach = half + 2 * lag + int(fs)  # one second more, for the filter's edges
    lo, hi = min(int(others.min()), at) - reach, max(int(others.max()), at) + reach
    if lo < 0 or hi > x.size:
        return 1.0
    band = bandpass(x[lo:hi], fs, 1.0, 30.0)
    own = band[at - lo - half : at - lo + half + 1]
    own = own - own.mean()
    shifts = np.arange(-lag, lag + 1)
    windows = (others - lo)[:, None, None] + shifts[None, :, None]
    segments = band[windows + np.arange(-half, half + 1)[None, None, :]]
    segments = segments - segments.mean(axis=2, keepdims=True)
    norms = np.linalg.norm(segments, axis=2) * (np.linalg.norm(own) + 1e-12) + 1e-12
    return float(np.max(segments @ own / norms))
