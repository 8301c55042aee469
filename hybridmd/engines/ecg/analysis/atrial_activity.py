"""Atrial activity seen between the QRS complexes, for AF and flutter.

Two measures on one lead (II or the Holter's modified lead II, aVF, III, V1 in that order of
preference, else the first):

* P-wave consistency: the 220 ms before each QRS is compared with its median over the
  record. A sinus P wave repeats beat after beat, so the median keeps it and most beats
  stay close to it; fibrillatory waves are unrelated to the QRS and average out, leaving
  a small median and beats far from it.
* Atrial spectrum after QRST cancellation (average beat subtraction, Slocum et al. 1992;
  Bollmann et al. 1998): the dominant frequency of what remains, and how much of the
  4-12 Hz power sits at that frequency and its harmonic (organisation index). Flutter is
  one sharp peak at 4-6 Hz (240-360/min); fibrillation a broad band at 4-9 Hz.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import signal

from hybridmd.engines.ecg.analysis.filters import bandpass
from hybridmd.engines.ecg.analysis.types import FloatArray, IntArray

PREFERRED_LEADS = ("II", "MLII", "aVF", "III", "V1")
# The P-wave window: P waves end 40-120 ms before the R peak and last up to 120 ms.
P_WINDOW_BEFORE_R_S = (0.30, 0.08)
# A median P wave smaller than this is not told apart from noise on a single lead.
P_MEDIAN_MIN_MV = 0.03
# The previous beat's T wave ends this long after its R peak at 60/min (QT 400 ms),
# scaled by the square root of the RR interval (Bazett).
T_WAVE_END_S = 0.4
MIN_P_WINDOWS = 8
QRST_BEFORE_R_S = 0.10
QRST_AFTER_R_S = 0.45
QRS_BLANK_S = 0.06
SPECTRUM_BAND_HZ = (3.0, 12.0)
MIN_SPECTRUM_SECONDS = 6.0


@dataclass(frozen=True)
class AtrialSpectrum:
    dominant_hz: float
    organisation: float  # power near the peak and its harmonic / power in 3-12 Hz
    amplitude_mv: float  # RMS of the residual in 3-12 Hz


def atrial_lead(leads: Mapping[str, FloatArray]) -> str | None:
    for name in PREFERRED_LEADS:
        if name in leads:
            return name
    return next(iter(leads), None)


def p_wave_band(values: FloatArray, fs: float) -> FloatArray:
    """The lead as ``p_wave_consistency`` reads it (1-20 Hz); filter once, reuse."""
    return bandpass(values, fs, 1.0, 20.0)


def p_wave_consistency(filtered: FloatArray, fs: float, r_peaks: IntArray) -> float | None:
    """Share of beats whose pre-QRS window resembles the median one of these beats.

    ``filtered`` comes from ``p_wave_band``. 0 when the median window is flat (no
    repeating P wave); ``None`` with fewer than eight beats that have room for the window
    (the median of fewer windows keeps too much of random fibrillatory waves).
    """
    start_offset = round(P_WINDOW_BEFORE_R_S[0] * fs)
    stop_offset = round(P_WINDOW_BEFORE_R_S[1] * fs)
    if start_offset - stop_offset < 4:
        return None
    previous = np.concatenate(([-(10**9)], r_peaks[:-1]))
    # The window must not reach back into the previous QRS-T.
    rr_before = (r_peaks - previous) / fs
    t_wave_end = T_WAVE_END_S * np.sqrt(np.clip(rr_before, 0.0, 4.0))  # Bazett, QTc 400 ms
    room = (r_peaks - start_offset >= 0) & (rr_before > P_WINDOW_BEFORE_R_S[0] + t_wave_end)
    starts = r_peaks[room] - start_offset
    if starts.size < MIN_P_WINDOWS:
        return None
    offsets = np.arange(start_offset - stop_offset)
    windows = filtered[starts[:, None] + offsets[None, :]]
    windows = windows - np.mean(windows, axis=1, keepdims=True)
    median = np.median(windows, axis=0)
    if float(np.ptp(median)) < P_MEDIAN_MIN_MV:
        return 0.0
    # A beat carries the P wave when what is left after subtracting the median is smaller
    # than the median itself (equivalently: its projection on the median exceeds half its
    # own energy), so fibrillatory waves larger than the averaged remnant do not count.
    residual_energy = np.sum((windows - median) ** 2, axis=1)
    return float(np.mean(residual_energy < float(np.sum(median**2))))


def qrst_cancelled(values: FloatArray, fs: float, r_peaks: IntArray) -> FloatArray:
    """The signal minus the median QRST complex at every beat, QRS region blanked."""
    residual = bandpass(values, fs, 1.0, 40.0)
    before = round(QRST_BEFORE_R_S * fs)
    after = round(QRST_AFTER_R_S * fs)
    inside = r_peaks[(r_peaks - before >= 0) & (r_peaks + after < residual.size)]
    if inside.size < 3:
        return blank_qrs(residual, fs, r_peaks)
    offsets = np.arange(-before, after)
    template = np.median(residual[inside[:, None] + offsets[None, :]], axis=0)
    next_peak = np.concatenate((r_peaks[1:], [residual.size + before]))
    for index, peak in enumerate(r_peaks.tolist()):
        start = max(0, peak - before)
        stop = min(peak + after, int(next_peak[index]) - before, residual.size)
        if stop > start:
            residual[start:stop] -= template[start - peak + before : stop - peak + before]
    return blank_qrs(residual, fs, r_peaks)


def blank_qrs(values: FloatArray, fs: float, r_peaks: IntArray) -> FloatArray:
    """A copy with +-60 ms around each R peak replaced by a straight line."""
    out = np.array(values, dtype=np.float64)
    blank = round(QRS_BLANK_S * fs)
    for peak in r_peaks.tolist():
        lo, hi = max(0, peak - blank), min(out.size - 1, peak + blank)
        if hi > lo:
            out[lo : hi + 1] = np.linspace(out[lo], out[hi], hi - lo + 1)
    return out


def atrial_spectrum(values: FloatArray, fs: float, r_peaks: IntArray) -> AtrialSpectrum | None:
    """Dominant atrial frequency and organisation; ``None`` on records under 6 s.

    Flutter waves locked to the QRS by a fixed 2:1 conduction are part of the average beat
    and are cancelled with it: such flutter shows only through the longer cycles.
    """
    if values.size < MIN_SPECTRUM_SECONDS * fs or r_peaks.size < 3 or fs < 2 * 12.5:
        return None
    cleaned = qrst_cancelled(values, fs, r_peaks)
    residual = bandpass(cleaned, fs, *SPECTRUM_BAND_HZ, order=3)
    segment = int(min(residual.size, round(4.0 * fs)))
    frequencies, power = signal.welch(residual, fs=fs, nperseg=segment, noverlap=segment // 2)
    low, high = SPECTRUM_BAND_HZ
    band = (frequencies >= low) & (frequencies <= high)
    total = float(np.sum(power[band]))
    if total <= 0:
        return None
    search = (frequencies >= 3.5) & (frequencies <= 10.0)
    dominant = float(frequencies[search][int(np.argmax(power[search]))])
    near = np.abs(frequencies - dominant) <= 0.5
    harmonic = np.abs(frequencies - 2 * dominant) <= 0.5
    organised = float(np.sum(power[band & (near | harmonic)]))
    return AtrialSpectrum(
        dominant_hz=dominant,
        organisation=organised / total,
        amplitude_mv=float(np.sqrt(np.mean(residual**2))),
    )
