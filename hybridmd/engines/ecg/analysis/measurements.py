"""Intervals, axes and per-lead amplitudes from the baseline-corrected median beats.

    measurements = measure(median_beats, r_index, fs, wave_marks, rr_ms)

Amplitudes are relative to the PR-segment baseline (the median beats are corrected to it
before they arrive here). Axes are frontal-plane, hexaxial, from the net areas of the
wave in leads I and aVF (aVF = (sqrt 3)/2 * |E| sin(axis) for a dipole E).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.types import FloatArray, LeadMeasurements, Measurements
from hybridmd.engines.ecg.analysis.waves import WaveMarks

# Deflections smaller than this are not counted as Q, S or R' waves (Minnesota Code
# counts waves from 25 uV).
MIN_WAVE_MV = 0.025
ST_LATE_OFFSET_S = 0.060
# An axis needs a frontal vector of at least this net area (mV*ms) to have a direction.
MIN_AXIS_AREA_MV_MS = 0.5


def empty_measurements(rr_ms: float | None) -> Measurements:
    return Measurements(
        rr_ms=rr_ms,
        pr_ms=None,
        qrs_ms=None,
        qt_ms=None,
        qtc_bazett_ms=None,
        qtc_fridericia_ms=None,
        p_axis_deg=None,
        qrs_axis_deg=None,
        t_axis_deg=None,
        leads={},
    )


def qtc_bazett(qt_ms: float, rr_ms: float) -> float:
    return qt_ms / math.sqrt(rr_ms / 1000.0)


def qtc_fridericia(qt_ms: float, rr_ms: float) -> float:
    return qt_ms / math.pow(rr_ms / 1000.0, 1.0 / 3.0)


def measure(
    median_beats: Mapping[str, FloatArray],
    r_index: int,
    fs: float,
    marks: WaveMarks,
    rr_ms: float | None,
) -> Measurements:
    """Global intervals from ``marks`` (indices into the median beats), per-lead amplitudes,
    and the frontal axes. None wherever a wave is missing."""
    if marks.qrs_on is None or marks.qrs_off is None or fs <= 0 or not median_beats:
        return empty_measurements(rr_ms)

    def ms(samples: int) -> float:
        return samples / fs * 1000.0

    pr_ms = ms(marks.qrs_on - marks.p_on) if marks.p_on is not None else None
    qrs_ms = ms(marks.qrs_off - marks.qrs_on)
    qt_ms = ms(marks.t_off - marks.qrs_on) if marks.t_off is not None else None
    rr_valid = rr_ms is not None and rr_ms > 0
    qtc_b = qtc_bazett(qt_ms, rr_ms) if qt_ms is not None and rr_ms and rr_valid else None
    qtc_f = qtc_fridericia(qt_ms, rr_ms) if qt_ms is not None and rr_ms and rr_valid else None
    leads: dict[str, LeadMeasurements] = {}
    for name, values in median_beats.items():
        lead = measure_lead(values, fs, marks)
        if lead is not None:
            leads[name] = lead
    t_start = marks.qrs_off
    return Measurements(
        rr_ms=rr_ms,
        pr_ms=pr_ms,
        qrs_ms=qrs_ms,
        qt_ms=qt_ms,
        qtc_bazett_ms=qtc_b,
        qtc_fridericia_ms=qtc_f,
        p_axis_deg=frontal_axis(median_beats, marks.p_on, marks.p_off, fs),
        qrs_axis_deg=frontal_axis(median_beats, marks.qrs_on, marks.qrs_off, fs),
        t_axis_deg=frontal_axis(median_beats, t_start, marks.t_off, fs),
        leads=leads,
    )


@dataclass(frozen=True)
class _Deflection:
    """A run of samples on one side of the baseline, and its extreme."""

    start: int
    stop: int  # exclusive
    peak: int
    amplitude: float


def deflections(qrs: FloatArray) -> list[_Deflection]:
    """The QRS cut where it crosses the baseline; runs smaller than MIN_WAVE_MV dropped."""
    signs = np.sign(qrs)
    cuts = np.flatnonzero(np.diff(signs) != 0) + 1
    bounds = [0, *cuts.tolist(), qrs.size]
    waves: list[_Deflection] = []
    for start, stop in itertools.pairwise(bounds):
        run = qrs[start:stop]
        peak = start + int(np.argmax(np.abs(run)))
        if abs(qrs[peak]) >= MIN_WAVE_MV:
            waves.append(_Deflection(start, stop, peak, float(qrs[peak])))
    return waves


def _comes_down(qrs: FloatArray, wave: _Deflection) -> bool:
    """A wave peaks and falls back by half before the QRS ends; a deflection still high at
    the offset is the ST segment of a lead whose QRS ended before the global offset."""
    return wave.peak < qrs.size - 1 and abs(float(qrs[-1])) < 0.5 * abs(wave.amplitude)


def measure_lead(values: FloatArray, fs: float, marks: WaveMarks) -> LeadMeasurements | None:
    """Amplitudes of one baseline-corrected median beat inside the global marks.

    Q is a negative deflection before the first positive one (R), S the first negative
    one after R, R' a positive one after S; R amplitude is the largest positive one."""
    if marks.qrs_on is None or marks.qrs_off is None or marks.qrs_on >= len(values):
        return None
    on, off = marks.qrs_on, min(marks.qrs_off, len(values) - 1)
    qrs = values[on : off + 1]
    waves = deflections(qrs)
    positive = [w for w in waves if w.amplitude > 0]
    q_amp = s_amp = r_prime = q_duration_ms = 0.0
    r_prime_peak = 0
    r_peak_time_ms: float | None = None
    if positive:
        first_r = positive[0]
        before = [w for w in waves if w.stop <= first_r.start]
        if before:
            q_wave = min(before, key=lambda w: w.amplitude)
            q_amp = q_wave.amplitude
            q_duration_ms = (first_r.start - before[0].start) / fs * 1000.0
        after = [w for w in waves if w.start >= first_r.stop]
        if after and after[0].amplitude < 0:
            s_amp = after[0].amplitude
            later = [w for w in after[1:] if w.amplitude > 0 and _comes_down(qrs, w)]
            if later:
                r_prime, r_prime_peak = later[0].amplitude, later[0].peak
        # R peak time runs to the tallest R, or to R' when that comes later.
        tallest = max(positive, key=lambda w: w.amplitude)
        r_peak_time_ms = max(tallest.peak, r_prime_peak) / fs * 1000.0
    elif waves:  # QS complex: one negative deflection
        q_amp = float(np.min(qrs))
        q_duration_ms = qrs.size / fs * 1000.0
    return LeadMeasurements(
        p_amp_mv=_extreme(values, marks.p_on, marks.p_off),
        q_amp_mv=q_amp,
        q_duration_ms=q_duration_ms,
        r_amp_mv=max((w.amplitude for w in positive), default=0.0),
        s_amp_mv=s_amp,
        r_prime_amp_mv=r_prime,
        qrs_peak_to_peak_mv=float(np.max(qrs) - np.min(qrs)),
        qrs_area_mv_ms=float(np.sum(qrs)) / fs * 1000.0,
        t_amp_mv=_t_amplitude(values, marks),
        st_j_mv=float(values[off]),
        st_j60_mv=_value_at(values, off + round(ST_LATE_OFFSET_S * fs)),
        r_peak_time_ms=r_peak_time_ms,
    )


def _extreme(values: FloatArray, start: int | None, stop: int | None) -> float | None:
    """The signed sample of largest magnitude in [start, stop]."""
    if start is None or stop is None or stop < start or start < 0 or stop >= len(values):
        return None
    segment = values[start : stop + 1]
    return float(segment[int(np.argmax(np.abs(segment)))])


def _t_amplitude(values: FloatArray, marks: WaveMarks) -> float | None:
    """The T wave's signed extreme from halfway between J and the T peak to T offset."""
    if marks.t_peak is None or marks.t_off is None or marks.qrs_off is None:
        return None
    start = (marks.qrs_off + marks.t_peak) // 2
    return _extreme(values, start, marks.t_off)


def _value_at(values: FloatArray, index: int) -> float | None:
    return float(values[index]) if 0 <= index < len(values) else None


def frontal_leads(median_beats: Mapping[str, FloatArray]) -> tuple[FloatArray, FloatArray] | None:
    """(I, aVF), taken or derived from any two limb leads (Einthoven, Goldberger)."""
    lead_i = median_beats.get("I")
    lead_ii = median_beats.get("II")
    lead_iii = median_beats.get("III")
    avf = median_beats.get("aVF")
    if lead_i is None and lead_ii is not None and lead_iii is not None:
        lead_i = lead_ii - lead_iii
    if avf is None and lead_ii is not None and lead_iii is not None:
        avf = (lead_ii + lead_iii) / 2.0
    if avf is None and lead_i is not None and lead_ii is not None:
        avf = lead_ii - lead_i / 2.0
    if lead_i is None or avf is None:
        return None
    return lead_i, avf


def frontal_axis(
    median_beats: Mapping[str, FloatArray], start: int | None, stop: int | None, fs: float
) -> float | None:
    """Hexaxial axis (degrees, (-180, 180]) of the net area over [start, stop]."""
    pair = frontal_leads(median_beats)
    if pair is None or start is None or stop is None or stop <= start:
        return None
    lead_i, avf = pair
    if start < 0 or stop >= min(len(lead_i), len(avf)):
        return None
    x = float(np.sum(lead_i[start : stop + 1])) / fs * 1000.0
    y = float(np.sum(avf[start : stop + 1])) / fs * 1000.0 * 2.0 / math.sqrt(3.0)
    if math.hypot(x, y) < MIN_AXIS_AREA_MV_MS:
        return None
    angle = math.degrees(math.atan2(y, x))
    return 180.0 if angle <= -180.0 else angle
