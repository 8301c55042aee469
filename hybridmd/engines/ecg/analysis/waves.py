"""Multi-lead delineation of one median beat (template): global P, QRS and T marks.

Waves are found on combined signals: the QRS on the spatial velocity (the length of the
vector of the leads' derivatives, which rises as soon as any lead leaves the baseline),
the P and T peaks on the leads' vector magnitude. Their edges are then taken per lead
and combined with an order statistic, the second earliest onset and the second latest
offset across the leads that show the wave: the earliest/latest mark the CSE and LUDB
cardiologists define, but robust to one noisy lead.

An edge is where a wave's velocity, walked outwards from its steepest slope, settles
below a fraction of that slope (``wave_edges``; slope-threshold delineation as in the
commercial programs). The fractions follow the waves' slope ratios; they were checked,
not fitted per record, on LUDB (see bench/ecg/delineation.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.median_beat import lowpass
from hybridmd.engines.ecg.analysis.types import FloatArray
from hybridmd.engines.ecg.analysis.wave_edges import edge

# The independent leads of a 12-lead ECG (III, aVR, aVL, aVF are sums of I and II);
# using only these keeps the limb leads from counting three times.
INDEPENDENT_12 = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

QRS_LOWPASS_HZ = 40.0
SLOW_WAVE_LOWPASS_HZ = 15.0  # P and T hold little above 15 Hz
NOISE_PERCENTILE = 10.0  # of a velocity over the whole beat: its noise floor
# Edge fractions (low, high) of the wave's steepest slope, see wave_edges.Edge.
QRS_ONSET_FRACTIONS = (0.03, 0.10)
QRS_OFFSET_FRACTIONS = (0.02, 0.10)
P_EDGE_FRACTIONS = (0.30, 0.60)
T_EDGE_FRACTIONS = (0.30, 0.60)
QRS_MAX_GAP_S = 0.012  # a notch or a small q inside the QRS is bridged
QRS_LEAD_REACH_S = 0.030  # a lead's own QRS edge counts within this of the combined one
QRS_BEFORE_R_S = 0.15
QRS_AFTER_R_S = 0.20
QRS_PEAK_SEARCH_S = 0.06
# A lead takes part in a wave's edges when its wave reaches this share of the tallest.
WAVE_MIN_RELATIVE_AMPLITUDE = 0.2
P_MIN_AMPLITUDE_MV = 0.04  # conservative: a smaller P is not called present
P_MIN_SLOPE_TO_NOISE = 3.0
P_MIN_DURATION_S = 0.04
P_MAX_DURATION_S = 0.20
P_GAP_BEFORE_QRS_S = 0.02
P_SEARCH_S = 0.35
T_MIN_AMPLITUDE_MV = 0.04
T_START_AFTER_QRS_S = 0.06
T_SEARCH_MAX_S = 0.70


@dataclass(frozen=True)
class WaveMarks:
    """Global fiducials inside a template (indices into it); None where absent."""

    p_on: int | None = None
    p_peak: int | None = None
    p_off: int | None = None
    qrs_on: int | None = None
    qrs_off: int | None = None
    t_peak: int | None = None
    t_off: int | None = None


def delineation_leads(names: Sequence[str]) -> list[str]:
    """The leads whose velocity is summed: the 8 independent ones when all are present."""
    if all(name in names for name in INDEPENDENT_12):
        return list(INDEPENDENT_12)
    return list(names)


def spatial_velocity(leads: Sequence[FloatArray], fs: float) -> FloatArray:
    """sqrt(sum of squared derivatives) in mV/s; NaN where any lead has no data."""
    if not leads:
        return np.zeros(0)
    squares = [np.gradient(lead) ** 2 if lead.size > 1 else np.zeros_like(lead) for lead in leads]
    return np.asarray(np.sqrt(np.sum(squares, axis=0)) * fs, dtype=np.float64)


def without_qrs(values: FloatArray, qrs_on: int, qrs_off: int) -> FloatArray:
    """The beat with [qrs_on, qrs_off] replaced by the straight line between its ends."""
    bridged = np.array(values, dtype=np.float64)
    if 0 <= qrs_on < qrs_off < bridged.size:
        span = np.arange(qrs_on, qrs_off + 1)
        bridged[span] = np.interp(span, [qrs_on, qrs_off], [bridged[qrs_on], bridged[qrs_off]])
    return bridged


@dataclass(frozen=True)
class _SlowWaves:
    """The template low-passed for P and T (QRS bridged), and where its QRS is."""

    independent: list[FloatArray]  # the delineation leads
    every_lead: list[FloatArray]
    fs: float
    qrs_on: int
    qrs_off: int
    span: tuple[int, int]  # first and last index with data in every lead
    rr_s: float

    def samples(self, seconds: float) -> int:
        return round(seconds * self.fs)

    @property
    def baseline_index(self) -> int:
        return max(self.span[0], self.qrs_on - self.samples(0.01))


def delineate_template(
    template: Mapping[str, FloatArray], r_index: int, fs: float, rr_s: float | None
) -> WaveMarks:
    """Global P, QRS and T marks of a median beat; never raises, empty marks when flat."""
    names = delineation_leads(list(template))
    if not names or fs <= 0:
        return WaveMarks()
    length = len(template[names[0]])
    finite = np.logical_and.reduce([np.isfinite(template[name]) for name in names])
    if not (0 <= r_index < length) or not finite[r_index]:
        return WaveMarks()
    valid = np.flatnonzero(finite)
    span = (int(valid[0]), int(valid[-1]))
    fast = {
        name: np.nan_to_num(lowpass(values, fs, QRS_LOWPASS_HZ))
        for name, values in template.items()
    }
    qrs = qrs_edges(spatial_velocity([fast[name] for name in names], fs), r_index, fs, span)
    if qrs is None:
        return WaveMarks()
    qrs_on, qrs_off = _qrs_across_leads(list(fast.values()), r_index, fs, span, qrs)

    # The QRS is bridged by a straight line before the low-pass, so that its smeared
    # slopes do not leak into the PR and ST segments.
    slow = {
        name: np.nan_to_num(lowpass(without_qrs(values, qrs_on, qrs_off), fs, SLOW_WAVE_LOWPASS_HZ))
        for name, values in template.items()
    }
    waves = _SlowWaves(
        independent=[slow[name] for name in names],
        every_lead=list(slow.values()),
        fs=fs,
        qrs_on=qrs_on,
        qrs_off=qrs_off,
        span=span,
        rr_s=rr_s if rr_s and rr_s > 0 else 1.0,
    )
    t_peak, t_off = _t_wave(waves, r_index)
    # At fast rates the previous beat's T wave reaches into the P search window.
    previous_t_off = t_off - waves.samples(waves.rr_s) if t_off is not None else None
    p_on, p_peak, p_off = _p_wave(waves, previous_t_off)
    return WaveMarks(p_on, p_peak, p_off, qrs_on, qrs_off, t_peak, t_off)


def qrs_edges(
    velocity: FloatArray, r_index: int, fs: float, span: tuple[int, int]
) -> tuple[int, int] | None:
    """QRS onset and offset from a velocity curve (spatial, or one lead's) around R."""
    lo, hi = span
    near = round(QRS_PEAK_SEARCH_S * fs)
    start, stop = max(lo, r_index - near), min(hi, r_index + near)
    if stop <= start:
        return None
    steepest = start + int(np.argmax(velocity[start : stop + 1]))
    peak = float(velocity[steepest])
    floor = float(np.percentile(velocity[lo : hi + 1], NOISE_PERCENTILE))
    if not np.isfinite(peak) or peak <= 0 or peak < 4.0 * floor:
        return None
    gap = round(QRS_MAX_GAP_S * fs)
    onset_edge = edge(floor, peak, *QRS_ONSET_FRACTIONS, gap=gap)
    # After the QRS the ST segment often still slopes: only a return to a high velocity
    # (a notch) continues the QRS.
    offset_edge = edge(floor, peak, *QRS_OFFSET_FRACTIONS, gap=gap, restart_at_high=True)
    onset = onset_edge.before(velocity, steepest, max(lo, r_index - round(QRS_BEFORE_R_S * fs)))
    offset = offset_edge.after(velocity, steepest, min(hi, r_index + round(QRS_AFTER_R_S * fs)))
    if offset <= onset:
        return None
    return onset, offset


def _qrs_across_leads(
    leads: Sequence[FloatArray],
    r_index: int,
    fs: float,
    span: tuple[int, int],
    combined: tuple[int, int],
) -> tuple[int, int]:
    """The second earliest onset and second latest offset of the leads' own QRS edges
    (the earliest/latest across leads, robust to one lead), each kept within
    QRS_LEAD_REACH_S of the spatial-velocity edges ``combined``; those when too few
    leads show a QRS."""
    reach = round(QRS_LEAD_REACH_S * fs)
    near = round(QRS_PEAK_SEARCH_S * fs)
    window = slice(max(span[0], r_index - near), min(span[1], r_index + near) + 1)
    swings = [float(np.ptp(lead[window])) for lead in leads]
    tallest = max(swings, default=0.0)
    onsets: list[int] = []
    offsets: list[int] = []
    for lead, swing in zip(leads, swings, strict=True):
        if swing < WAVE_MIN_RELATIVE_AMPLITUDE * tallest:
            continue
        edges = qrs_edges(np.abs(np.gradient(lead)) * fs, r_index, fs, span)
        if edges is None:
            continue
        if abs(edges[0] - combined[0]) <= reach:
            onsets.append(edges[0])
        if abs(edges[1] - combined[1]) <= reach:
            offsets.append(edges[1])
    onset = sorted(onsets)[1] if len(onsets) >= 3 else combined[0]
    offset = sorted(offsets)[-2] if len(offsets) >= 3 else combined[1]
    return (onset, offset) if offset > onset else combined


def _magnitude(leads: Sequence[FloatArray], reference_index: int) -> FloatArray:
    """Distance of the lead vector from its value at ``reference_index`` (mV)."""
    deviations = [lead - lead[reference_index] for lead in leads]
    return np.asarray(np.sqrt(np.sum(np.square(deviations), axis=0)), dtype=np.float64)


def _lead_velocity(lead: FloatArray, waves: _SlowWaves) -> tuple[FloatArray, float]:
    """|derivative| of one lead (mV/s) and its noise floor."""
    velocity = np.abs(np.gradient(lead)) * waves.fs if lead.size > 1 else np.zeros_like(lead)
    lo, hi = waves.span
    return velocity, float(np.percentile(velocity[lo : hi + 1], NOISE_PERCENTILE))


def _leads_with_wave(waves: _SlowWaves, start: int, stop: int, minimum: float) -> list[FloatArray]:
    """The leads in which the wave in [start, stop] is tall enough to be delineated."""
    base = waves.baseline_index
    amplitudes = [float(np.max(np.abs(v[start : stop + 1] - v[base]))) for v in waves.every_lead]
    tallest = max(amplitudes, default=0.0)
    limit = max(minimum, WAVE_MIN_RELATIVE_AMPLITUDE * tallest)
    return [v for v, a in zip(waves.every_lead, amplitudes, strict=True) if a >= limit]


def _t_wave(waves: _SlowWaves, r_index: int) -> tuple[int | None, int | None]:
    """T peak from the leads' vector magnitude; T offset per lead, then the second latest
    (the latest offset across leads, robust to one lead whose tail is noise)."""
    start = waves.qrs_off + waves.samples(T_START_AFTER_QRS_S)
    stop = min(waves.span[1], r_index + waves.samples(min(T_SEARCH_MAX_S, 0.8 * waves.rr_s)))
    if stop - start < waves.samples(0.08):
        return None, None
    magnitude = _magnitude(waves.independent, waves.baseline_index)
    t_peak = start + int(np.argmax(magnitude[start : stop + 1]))
    if magnitude[t_peak] < T_MIN_AMPLITUDE_MV or t_peak >= stop:
        return t_peak if magnitude[t_peak] >= T_MIN_AMPLITUDE_MV else None, None
    ends: list[int] = []
    for lead in _leads_with_wave(waves, start, stop, T_MIN_AMPLITUDE_MV):
        deviation = np.abs(lead[start : stop + 1] - lead[waves.baseline_index])
        lead_peak = start + int(np.argmax(deviation))
        velocity, floor = _lead_velocity(lead, waves)
        steepest = lead_peak + int(np.argmax(velocity[lead_peak : stop + 1]))
        end = edge(floor, float(velocity[steepest]), *T_EDGE_FRACTIONS).after(
            velocity, steepest, stop
        )
        if end < stop:
            ends.append(end)
    if not ends:
        return t_peak, None
    ends.sort()
    return t_peak, ends[-2] if len(ends) >= 3 else ends[-1]


def _back_to_baseline(lead: FloatArray, peak: int, baseline_index: int) -> int:
    """First index after ``peak`` where the lead is back within 10% of the wave's height
    from its level at ``baseline_index`` (or crosses it): a P wave ends there even when
    an atrial repolarisation (Ta) wave carries the slope on below the baseline."""
    deviation = lead[peak : baseline_index + 1] - lead[baseline_index]
    height = deviation[0]
    if height == 0:
        return baseline_index
    returned = np.flatnonzero(deviation * np.sign(height) <= 0.1 * abs(height))
    return peak + int(returned[0]) if returned.size else baseline_index


def _p_wave(
    waves: _SlowWaves, previous_t_off: int | None
) -> tuple[int | None, int | None, int | None]:
    """P wave found on the leads' vector magnitude; onset and offset per lead, then the
    second earliest / second latest across the leads that show it."""
    absent = (None, None, None)
    stop = waves.qrs_on - waves.samples(P_GAP_BEFORE_QRS_S)
    start = max(waves.span[0], waves.qrs_on - waves.samples(min(P_SEARCH_S, 0.6 * waves.rr_s)))
    if previous_t_off is not None:
        start = max(start, previous_t_off)
    if stop - start < waves.samples(P_MIN_DURATION_S):
        return absent
    magnitude = _magnitude(waves.independent, stop)
    p_peak = start + int(np.argmax(magnitude[start : stop + 1]))
    if magnitude[p_peak] < P_MIN_AMPLITUDE_MV or p_peak in (start, stop):
        return absent
    velocity = spatial_velocity(waves.independent, waves.fs)
    floor = float(np.percentile(velocity[waves.span[0] : waves.span[1] + 1], NOISE_PERCENTILE))
    rise = start + int(np.argmax(velocity[start : p_peak + 1]))
    fall = p_peak + int(np.argmax(velocity[p_peak : stop + 1]))
    if min(velocity[rise], velocity[fall]) < P_MIN_SLOPE_TO_NOISE * floor:
        return absent
    onsets: list[int] = []
    offsets: list[int] = []
    for lead in _leads_with_wave(waves, start, stop, P_MIN_AMPLITUDE_MV / 2):
        lead_velocity, lead_floor = _lead_velocity(lead, waves)
        lead_rise = start + int(np.argmax(lead_velocity[start : p_peak + 1]))
        lead_fall = p_peak + int(np.argmax(lead_velocity[p_peak : stop + 1]))
        slope = float(min(lead_velocity[lead_rise], lead_velocity[lead_fall]))
        lead_edge = edge(lead_floor, slope, *P_EDGE_FRACTIONS)
        onsets.append(lead_edge.before(lead_velocity, lead_rise, start))
        offset = lead_edge.after(lead_velocity, lead_fall, stop)
        offsets.append(min(offset, _back_to_baseline(lead, p_peak, stop)))
    if not onsets:
        return absent
    onsets.sort()
    offsets.sort()
    p_on = onsets[1] if len(onsets) >= 3 else onsets[0]
    p_off = offsets[-2] if len(offsets) >= 3 else offsets[-1]
    duration = (p_off - p_on) / waves.fs
    if not P_MIN_DURATION_S <= duration <= P_MAX_DURATION_S or p_on <= start:
        return absent
    return p_on, p_peak, p_off
