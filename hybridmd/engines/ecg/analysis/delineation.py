"""Wave delineation: P, QRS and T onsets/offsets per beat, the median beats and the
measurements taken from them.

    result = delineate(leads, fs, r_peaks, beat_classes)

Method (median-beat delineation, as GE 12SL and Philips DXL measure):

1. every lead is high-passed at 0.5 Hz (zero phase) and cut into beat windows around the
   R peaks; the beats of one class are aligned by cross-correlation and reduced to a
   median beat per lead (``median_beat``);
2. a median beat is delineated once with all leads together (``waves``): global marks,
   the earliest onset and latest offset across leads, robust to one noisy lead;
3. per-beat marks come from local templates (the median of each run of about 20 beats of
   one class, so that a paroxysm of AF or a drifting QT is followed), mapped onto each
   beat through its alignment; the P and T waves are re-aligned per beat by
   cross-correlation, and a beat's P wave counts as present only when the local template
   has one and the beat correlates with it (so AF, whose median has no P, gives none);
4. the median beat of the dominant class (N when present), baseline-corrected on the PR
   segment, is measured (``measurements``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.measurements import empty_measurements, measure
from hybridmd.engines.ecg.analysis.median_beat import (
    Template,
    build_template,
    condition,
    cut_beats,
    lowpass,
)
from hybridmd.engines.ecg.analysis.types import (
    BeatFiducials,
    BoolArray,
    Delineation,
    FloatArray,
    IntArray,
)
from hybridmd.engines.ecg.analysis.waves import (
    SLOW_WAVE_LOWPASS_HZ,
    WaveMarks,
    delineate_template,
    delineation_leads,
)

P_MIN_CORRELATION = 0.6
MIN_BEATS_FOR_P = 3
P_SCALE_RANGE = (0.4, 2.5)
P_MAX_LAG_S = 0.030
T_MAX_LAG_S = 0.040
BASELINE_WINDOW_S = 0.020
MIN_FS = 50.0
BLOCK_BEATS = 20


@dataclass(frozen=True)
class _Context:
    """What every per-beat step needs: the filtered leads and the recording's size."""

    fs: float
    n_samples: int
    slow: list[FloatArray]  # delineation leads, low-passed for P and T


def delineate(
    leads: Mapping[str, FloatArray],
    fs: float,
    r_peaks: IntArray,
    beat_classes: Sequence[str] | None = None,
) -> Delineation:
    """Per-beat global fiducials, P-wave presence, median beats and measurements.

    Never raises: no beats, flat or unusable leads give -1 marks and None measurements.
    """
    peaks = np.asarray(r_peaks, dtype=np.int64).reshape(-1)
    arrays = _usable_leads(leads)
    if not arrays or not np.isfinite(fs) or fs < MIN_FS:
        return empty_delineation(peaks.size)
    n_samples = len(next(iter(arrays.values())))
    classes = _classes(beat_classes, peaks.size)
    conditioned = {name: condition(values, fs) for name, values in arrays.items()}
    inside = (peaks >= 0) & (peaks < n_samples)
    dominant = _dominant_class(classes, inside)
    rr_ms = _normal_rr_ms(peaks, classes, dominant, fs)
    rr_s = rr_ms / 1000.0 if rr_ms is not None else None
    slow = [
        lowpass(conditioned[name], fs, SLOW_WAVE_LOWPASS_HZ)
        for name in delineation_leads(list(conditioned))
    ]
    context = _Context(fs=fs, n_samples=n_samples, slow=slow)
    marks = np.full((7, peaks.size), -1, dtype=np.int64)
    p_present = np.zeros(peaks.size, dtype=np.bool_)
    dominant_template: Template | None = None
    dominant_marks = WaveMarks()
    for label in sorted({classes[i] for i in np.flatnonzero(inside)}):
        members = np.flatnonzero(inside & np.array([c == label for c in classes], dtype=bool))
        # Per-beat marks come from local templates (blocks of consecutive beats), so that
        # a paroxysm of AF or a drifting QT is followed; the measurements from the whole.
        for block in beat_blocks(members):
            local = build_template(conditioned, fs, peaks, block)
            if local is not None:
                local_marks = delineate_template(local.leads, local.r_index, fs, rr_s)
                _map_to_beats(local, local_marks, context, marks, p_present)
        if label == dominant:
            dominant_template = build_template(conditioned, fs, peaks, members)
            if dominant_template is not None:
                dominant_marks = delineate_template(
                    dominant_template.leads, dominant_template.r_index, fs, rr_s
                )
    fiducials = BeatFiducials(*(marks[row].copy() for row in range(7)))
    if dominant_template is None or dominant_marks.qrs_on is None:
        return Delineation(fiducials, p_present, {}, 0, empty_measurements(rr_ms))
    median_beats = baseline_corrected(dominant_template.leads, dominant_marks, fs)
    measurements = measure(median_beats, dominant_template.r_index, fs, dominant_marks, rr_ms)
    return Delineation(
        fiducials=fiducials,
        p_wave_present=p_present,
        median_beats=median_beats,
        median_r_index=dominant_template.r_index,
        measurements=measurements,
    )


def beat_blocks(members: IntArray, size: int = BLOCK_BEATS) -> list[IntArray]:
    """The beats split into consecutive runs of about ``size`` beats."""
    if members.size == 0:
        return []
    count = max(1, round(members.size / size))
    return [np.asarray(block, dtype=np.int64) for block in np.array_split(members, count)]


def empty_delineation(beat_count: int) -> Delineation:
    missing = np.full(beat_count, -1, dtype=np.int64)
    return Delineation(
        fiducials=BeatFiducials(*(missing.copy() for _ in range(7))),
        p_wave_present=np.zeros(beat_count, dtype=np.bool_),
        median_beats={},
        median_r_index=0,
        measurements=empty_measurements(None),
    )


def baseline_corrected(
    template: Mapping[str, FloatArray], marks: WaveMarks, fs: float
) -> dict[str, FloatArray]:
    """Each lead minus its mean over the PR segment (the 20 ms before QRS onset, after
    the P wave); NaN samples (beyond every beat's data) become 0."""
    result: dict[str, FloatArray] = {}
    if marks.qrs_on is None:
        return result
    stop = marks.qrs_on
    start = max(0, stop - max(1, round(BASELINE_WINDOW_S * fs)))
    if marks.p_off is not None and marks.p_off < stop - 1:
        start = max(start, marks.p_off)
    for name, values in template.items():
        segment = values[start:stop]
        finite = segment[np.isfinite(segment)]
        level = float(np.mean(finite)) if finite.size else 0.0
        result[name] = np.nan_to_num(values - level)
    return result


def _usable_leads(leads: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """1-D finite-valued leads of one common length, non-flat; the rest are dropped."""
    arrays: dict[str, FloatArray] = {}
    for name, values in leads.items():
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1 or array.size < 2:
            continue
        array = np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0)
        if float(np.ptp(array)) <= 1e-6:
            continue
        arrays[name] = array
    lengths = Counter(len(a) for a in arrays.values())
    if not lengths:
        return {}
    common = lengths.most_common(1)[0][0]
    return {name: a for name, a in arrays.items() if len(a) == common}


def _classes(beat_classes: Sequence[str] | None, count: int) -> list[str]:
    if beat_classes is None or len(beat_classes) != count:
        return ["N"] * count
    return [str(c) for c in beat_classes]


def _dominant_class(classes: Sequence[str], inside: BoolArray) -> str:
    present = [classes[int(i)] for i in np.flatnonzero(inside)]
    if not present or "N" in present:
        return "N"
    return str(Counter(present).most_common(1)[0][0])


def _normal_rr_ms(peaks: IntArray, classes: Sequence[str], label: str, fs: float) -> float | None:
    """Median interval between consecutive beats that are both of the dominant class."""
    if peaks.size < 2:
        return None
    pairs = [
        (peaks[i + 1] - peaks[i]) / fs * 1000.0
        for i in range(peaks.size - 1)
        if classes[i] == label and classes[i + 1] == label and peaks[i + 1] > peaks[i]
    ]
    return float(np.median(pairs)) if pairs else None


def _map_to_beats(
    template: Template,
    wave_marks: WaveMarks,
    context: _Context,
    marks: IntArray,
    p_present: BoolArray,
) -> None:
    """Write the template's marks, shifted onto each member beat, into ``marks``."""
    if wave_marks.qrs_on is None or wave_marks.qrs_off is None:
        return
    offsets = template.centres - template.r_index
    p_lags, p_ok = _p_wave_lags(template, wave_marks, context)
    t_lags = _wave_lags(template, wave_marks.t_peak, wave_marks.t_off, T_MAX_LAG_S, context)

    everyone = np.ones(template.members.size, dtype=np.bool_)

    def place(
        rows: tuple[int, ...], values: tuple[int | None, ...], which: BoolArray, shift: IntArray
    ) -> None:
        for row, value in zip(rows, values, strict=True):
            if value is None:
                continue
            positions = value + shift[which]
            valid = (positions >= 0) & (positions < context.n_samples)
            marks[row, template.members[which][valid]] = positions[valid]

    place((3, 4), (wave_marks.qrs_on, wave_marks.qrs_off), everyone, offsets)
    place((5, 6), (wave_marks.t_peak, wave_marks.t_off), everyone, offsets + t_lags)
    p_values = (wave_marks.p_on, wave_marks.p_peak, wave_marks.p_off)
    place((0, 1, 2), p_values, p_ok, offsets + p_lags)
    p_present[template.members[p_ok]] = True


def _segment_rows(
    template: Template, start: int, stop: int, lag_max: int, context: _Context
) -> list[FloatArray]:
    """Each beat's slow leads over the template's [start, stop), widened by lag_max."""
    before = template.r_index - start + lag_max
    after = stop - 1 - template.r_index + lag_max
    return [cut_beats(lead, template.centres, before, after) for lead in context.slow]


def _correlations(
    template_segment: FloatArray, beats: list[FloatArray], lag_max: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Per beat: best Pearson correlation over lags, its lag, and the beat's scale."""
    count = beats[0].shape[0]
    width = template_segment.size // len(beats)
    if width == 0:
        return np.full(count, -np.inf), np.zeros(count, dtype=np.int64), np.zeros(count)
    best = np.full(count, -np.inf)
    best_lag = np.zeros(count, dtype=np.int64)
    best_scale = np.zeros(count)
    reference = template_segment - template_segment.mean()
    reference_norm = float(np.linalg.norm(reference))
    if reference_norm <= 0:
        return best, best_lag, best_scale
    for lag in range(-lag_max, lag_max + 1):
        start = lag_max + lag
        rows = np.concatenate([b[:, start : start + width] for b in beats], axis=1)
        complete = np.isfinite(rows).all(axis=1)
        rows = np.nan_to_num(rows)
        rows = rows - rows.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(rows, axis=1)
        dots = rows @ reference
        scores = np.where(complete & (norms > 0), dots / np.where(norms > 0, norms, 1.0), -np.inf)
        scores /= reference_norm
        better = scores > best
        best[better] = scores[better]
        best_lag[better] = lag
        best_scale[better] = dots[better] / reference_norm**2
    return best, best_lag, best_scale


def _template_segment(
    template: Template, start: int, stop: int, context: _Context
) -> FloatArray | None:
    names = delineation_leads(list(template.leads))
    pieces = [lowpass(template.leads[name], context.fs, SLOW_WAVE_LOWPASS_HZ) for name in names]
    segment = np.concatenate([piece[start:stop] for piece in pieces])
    if start < 0 or stop > len(pieces[0]) or not np.isfinite(segment).all():
        return None
    return segment


def _wave_lags(
    template: Template, peak: int | None, end: int | None, max_lag_s: float, context: _Context
) -> IntArray:
    """Per beat, the lag that best aligns its wave [peak - 80 ms, end] with the template's."""
    lags = np.zeros(template.members.size, dtype=np.int64)
    if peak is None or end is None or template.members.size < 2:
        return lags
    start = peak - round(0.08 * context.fs)
    stop = end + 1
    lag_max = max(1, round(max_lag_s * context.fs))
    reference = _template_segment(template, start, stop, context)
    if reference is None:
        return lags
    beats = _segment_rows(template, start, stop, lag_max, context)
    scores, best_lag, _ = _correlations(reference, beats, lag_max)
    good = scores > 0.5
    lags[good] = best_lag[good]
    return lags


def _p_wave_lags(
    template: Template, wave_marks: WaveMarks, context: _Context
) -> tuple[IntArray, BoolArray]:
    """Per beat: the P-wave lag and whether the beat has the template's P wave."""
    count = template.members.size
    lags = np.zeros(count, dtype=np.int64)
    present = np.zeros(count, dtype=np.bool_)
    if wave_marks.p_on is None or wave_marks.p_off is None or wave_marks.qrs_on is None:
        return lags, present
    if count < MIN_BEATS_FOR_P:  # a beat always correlates with a template of itself
        return lags, present
    margin = round(0.02 * context.fs)
    start = max(0, wave_marks.p_on - margin)
    stop = min(wave_marks.qrs_on, wave_marks.p_off + margin) + 1
    lag_max = max(1, round(P_MAX_LAG_S * context.fs))
    reference = _template_segment(template, start, stop, context)
    if reference is None:
        return lags, present
    beats = _segment_rows(template, start, stop, lag_max, context)
    scores, best_lag, scales = _correlations(reference, beats, lag_max)
    low, high = P_SCALE_RANGE
    present = (scores >= P_MIN_CORRELATION) & (scales >= low) & (scales <= high)
    lags[present] = best_lag[present]
    return lags, present
