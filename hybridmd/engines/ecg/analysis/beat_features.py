"""Per-beat morphology features for beat classification: aligned windows, lag-tolerant
correlation with a template (all leads together and lead by lead), QRS spread, QRS onset,
amplitude, the local baseline noise and which beats share a recurring (ectopic) shape.

Morphology is compared on a band-passed (0.5-40 Hz) copy of the leads, decimated to roughly
180-250 Hz so that a 30-minute Holter stays cheap. All leads are concatenated into one
vector per beat, so a lead weighs in proportion to its QRS energy in millivolts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.beat_timing import finite_median, sliding_nanmedian
from hybridmd.engines.ecg.analysis.filters import bandpass
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray, IntArray

# Morphology window around the R peak: the whole QRS of a wide ventricular beat and the
# start of its ST segment, but not the P wave of a normal beat.
WINDOW_BEFORE_S = 0.10
WINDOW_AFTER_S = 0.15
# Detectors place R on different points of differently shaped complexes: search +/- 40 ms.
MAX_LAG_S = 0.04
# Wider window for the QRS spread, so that the slopes of a wide complex are not cut off.
SPREAD_BEFORE_S = 0.15
SPREAD_AFTER_S = 0.20
_MIN_MORPHOLOGY_FS = 180.0
# Templates: beats correlating at least this well are members of a template.
SIMILAR_CORRELATION = 0.90
MIN_TEMPLATE_BEATS = 3
MEDOID_SAMPLE = 300
# A second morphology worth comparing: below this correlation with the dominant one, in
# at least this share of the beats.
SECOND_SHAPE_CORRELATION = 0.75
SECOND_SHAPE_SHARE = 0.2
# Normal conduction is narrower than ventricular (QRS spread below 80 %) or, at similar
# width, arrives later (median RR before it at least 15 % longer).
CLEARLY_NARROWER = 0.8
CLEARLY_LATER = 1.15


@dataclass(frozen=True)
class MorphologySignal:
    """The leads prepared for morphology comparison: (n_leads, n_samples) at ``fs``."""

    samples: FloatArray
    fs: float
    r_peaks: IntArray  # R positions on this signal's own rate
    source_fs: float  # the recording's sampling rate

    def seconds(self, duration_s: float) -> int:
        return max(1, round(duration_s * self.fs))


def prepare_morphology(
    leads: Mapping[str, FloatArray], fs: float, r_peaks: IntArray
) -> MorphologySignal | None:
    """Band-pass and decimate the usable leads; None when there is nothing to compare."""
    rows: list[FloatArray] = []
    for values in leads.values():
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 1 or x.size < 4 or not np.all(np.isfinite(x)):
            continue
        if float(np.ptp(x)) <= 1e-6:
            continue  # a flat lead adds nothing but division by zero
        rows.append(bandpass(x, fs, 0.5, 40.0))
    if not rows or fs <= 0:
        return None
    length = min(r.size for r in rows)
    samples = np.vstack([r[:length] for r in rows])
    step = max(1, int(fs // _MIN_MORPHOLOGY_FS))
    samples = np.ascontiguousarray(samples[:, ::step])
    positions = np.clip(np.round(np.asarray(r_peaks) / step), 0, samples.shape[1] - 1)
    return MorphologySignal(
        samples=samples, fs=fs / step, r_peaks=positions.astype(np.int64), source_fs=fs
    )


def beat_windows(
    signal: MorphologySignal, centers: IntArray, before: int, after: int
) -> FloatArray:
    """(n_beats, n_leads * (before + after)) windows; samples outside the record are 0."""
    return _lead_windows(signal, centers, before, after).reshape(len(centers), -1)


def _lead_windows(
    signal: MorphologySignal, centers: IntArray, before: int, after: int
) -> FloatArray:
    """(n_beats, n_leads, before + after) windows; samples outside the record are 0."""
    n_samples = signal.samples.shape[1]
    index = centers[:, None] + np.arange(-before, after)[None, :]
    inside = (index >= 0) & (index < n_samples)
    windows = signal.samples[:, np.clip(index, 0, n_samples - 1)]  # (n_leads, n_beats, width)
    windows = np.where(inside[None, :, :], windows, 0.0)
    return np.ascontiguousarray(windows.transpose(1, 0, 2))


def _centered_unit(rows: FloatArray) -> FloatArray:
    centered = rows - rows.mean(axis=-1, keepdims=True)
    norms = np.linalg.norm(centered, axis=-1, keepdims=True)
    return np.asarray(centered / np.where(norms > 1e-12, norms, np.inf), dtype=np.float64)


def lagged_correlation(
    signal: MorphologySignal, centers: IntArray, template: FloatArray
) -> tuple[FloatArray, IntArray]:
    """Best Pearson correlation of each beat with ``template`` over +/- MAX_LAG_S shifts.

    Returns (correlation, lag in samples) per beat.
    """
    before = signal.seconds(WINDOW_BEFORE_S)
    after = signal.seconds(WINDOW_AFTER_S)
    width = before + after
    unit_template = _centered_unit(template)
    max_lag = signal.seconds(MAX_LAG_S)
    # One wide window per beat, sliced for every lag.
    wide = _lead_windows(signal, centers, before + max_lag, after + max_lag)
    best = np.full(len(centers), -1.0)
    best_lag = np.zeros(len(centers), dtype=np.int64)
    for lag in range(-max_lag, max_lag + 1):
        start = max_lag + lag
        shifted = wide[:, :, start : start + width].reshape(len(centers), -1)
        corr = _centered_unit(shifted) @ unit_template
        better = corr > best
        best[better] = corr[better]
        best_lag[better] = lag
    return best, best_lag


def qrs_spread_ms(signal: MorphologySignal, centers: IntArray) -> FloatArray:
    """Temporal spread (weighted standard deviation, ms) of each beat's slope energy.

    The squared slope summed over leads concentrates on the QRS; its spread grows with QRS
    width and needs no onset/offset threshold, which makes it robust to noise.
    """
    before = signal.seconds(SPREAD_BEFORE_S)
    after = signal.seconds(SPREAD_AFTER_S)
    n_leads = signal.samples.shape[0]
    windows = beat_windows(signal, centers, before, after).reshape(len(centers), n_leads, -1)
    energy = (np.diff(windows, axis=-1) ** 2).sum(axis=1)
    energy = energy - np.percentile(energy, 20, axis=-1, keepdims=True)
    energy = np.clip(energy, 0.0, None)
    total = energy.sum(axis=-1)
    times = np.arange(energy.shape[-1], dtype=np.float64)
    safe_total = np.where(total > 0, total, 1.0)
    mean_time = (energy * times).sum(axis=-1) / safe_total
    variance = (energy * (times[None, :] - mean_time[:, None]) ** 2).sum(axis=-1) / safe_total
    spread = np.sqrt(variance) * 1000.0 / signal.fs
    return np.asarray(np.where(total > 0, spread, np.nan), dtype=np.float64)


def peak_to_peak(windows: FloatArray, n_leads: int) -> FloatArray:
    """Largest per-lead peak-to-peak amplitude of each beat window (mV)."""
    per_lead = windows.reshape(len(windows), n_leads, -1)
    return np.asarray(np.ptp(per_lead, axis=-1).max(axis=-1), dtype=np.float64)


def qrs_onsets(signal: MorphologySignal, centers: IntArray) -> IntArray:
    """QRS onset of each beat (on the morphology rate): where the summed slope envelope,
    walking back from its maximum near R, first falls below 15 % of that maximum."""
    before = signal.seconds(SPREAD_BEFORE_S)
    after = signal.seconds(WINDOW_AFTER_S)
    n_leads = signal.samples.shape[0]
    windows = beat_windows(signal, centers, before, after).reshape(len(centers), n_leads, -1)
    envelope = np.sqrt((np.diff(windows, axis=-1) ** 2).sum(axis=1))
    peak_index = envelope.argmax(axis=1)
    peak_value = envelope[np.arange(len(centers)), peak_index]
    below = envelope < 0.15 * peak_value[:, None]
    positions = np.arange(envelope.shape[1])[None, :]
    below_before_peak = below & (positions < peak_index[:, None])
    # The last "below" sample before the peak; 0 when the envelope never drops that low.
    last_below = np.where(
        below_before_peak.any(axis=1),
        envelope.shape[1] - 1 - np.argmax(below_before_peak[:, ::-1], axis=1),
        0,
    )
    return np.asarray(centers - before + last_below + 1, dtype=np.int64)


def local_noise(signal: MorphologySignal, dominant: FloatArray, half_width: int) -> FloatArray:
    """Per beat: high-frequency activity in the quiet stretch before the QRS, relative to
    the dominant QRS's steepest slope, as a running median over neighbouring beats.

    The median absolute sample-to-sample change between 300 and 80 ms before R is small on a
    clean baseline (P waves are slow) and grows with muscle noise and motion artefact. The
    running median keeps one very premature beat, whose window holds the previous QRS, from
    looking noisy.
    """
    n_leads = signal.samples.shape[0]
    before = signal.seconds(0.30)
    after = -signal.seconds(0.08)
    windows = beat_windows(signal, signal.r_peaks, before, after)
    windows = windows.reshape(len(signal.r_peaks), n_leads, -1)
    steps = np.median(np.abs(np.diff(windows, axis=-1)), axis=-1)
    template_slope = np.abs(np.diff(dominant.reshape(n_leads, -1), axis=-1)).max(axis=-1)
    relative = steps / np.where(template_slope > 1e-9, template_slope, np.inf)[None, :]
    noise = np.asarray(relative.max(axis=-1), dtype=np.float64)
    smoothed = sliding_nanmedian(noise, half_width, minimum=1)
    return np.asarray(np.where(np.isfinite(smoothed), smoothed, noise), dtype=np.float64)


def lead_agreement(windows: FloatArray, template: FloatArray, n_leads: int) -> FloatArray:
    """Per beat: how well the beat matches the template in its best-matching leads.

    Each lead with a real QRS in the template (peak-to-peak at least 20 % of the largest
    lead's) is correlated separately; the result is a high quantile of those correlations
    (the best lead with one or two leads, about the third best of twelve). A beat that
    looks different only because one lead carries an artefact keeps a high value; an
    ectopic beat looks different in nearly every lead.
    """
    beats = windows.reshape(len(windows), n_leads, -1)
    lead_template = template.reshape(n_leads, -1)
    template_size = np.ptp(lead_template, axis=1)
    meaningful = template_size >= 0.2 * float(template_size.max(initial=0.0))
    if not np.any(meaningful):
        return np.full(len(windows), np.nan)
    correlations = np.einsum(
        "bld,ld->bl",
        _centered_unit(beats[:, meaningful]),
        _centered_unit(lead_template[meaningful]),
    )
    correlations = np.sort(correlations, axis=1)
    count = correlations.shape[1]
    return np.asarray(correlations[:, int(np.ceil(0.8 * (count - 1)))], dtype=np.float64)


def dominant_template(
    signal: MorphologySignal, seed: BoolArray | None = None
) -> tuple[FloatArray, FloatArray, IntArray]:
    """(template, correlation of every beat with it, best lag) for the morphology that
    dominates the ``seed`` beats (all beats by default).

    Seeded by the densest beat: among up to 300 evenly spread seed beats, the one most
    others closely match, averaged with those (a medoid, so even two shapes in equal
    numbers give one clean template, not a blend). Then re-estimated twice as the mean of
    all the beats that closely match it, aligned on their best lag.
    """
    before = signal.seconds(WINDOW_BEFORE_S)
    after = signal.seconds(WINDOW_AFTER_S)
    chosen = signal.r_peaks if seed is None else signal.r_peaks[seed]
    sample = chosen[np.unique(np.linspace(0, len(chosen) - 1, MEDOID_SAMPLE).astype(np.int64))]
    windows = beat_windows(signal, sample, before, after)
    units = _centered_unit(windows)
    neighbours = (units @ units.T) >= SIMILAR_CORRELATION
    densest = int(np.argmax(neighbours.sum(axis=1)))
    template = windows[neighbours[densest]].mean(axis=0)
    correlation, lags = lagged_correlation(signal, signal.r_peaks, template)
    for _ in range(2):
        close = correlation >= SIMILAR_CORRELATION
        if seed is not None:
            close &= seed
        if np.count_nonzero(close) < MIN_TEMPLATE_BEATS:
            break
        aligned = beat_windows(signal, signal.r_peaks[close] + lags[close], before, after)
        template = aligned.mean(axis=0)
        correlation, lags = lagged_correlation(signal, signal.r_peaks, template)
    return template, correlation, lags


def normal_template(
    signal: MorphologySignal, r_peaks: IntArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    """The template of normal conduction: usually the dominant morphology, but when a
    second shape holds a large share of the beats (bigeminy, frequent ectopy) the normal
    one is the clearly narrower of the two or, at similar width, the one that does not
    come early.
    """
    first = dominant_template(signal)
    other = first[1] < SECOND_SHAPE_CORRELATION
    if np.count_nonzero(other) < max(MIN_TEMPLATE_BEATS, SECOND_SHAPE_SHARE * len(other)):
        return first
    second = dominant_template(signal, seed=other)
    first_members = first[1] >= SIMILAR_CORRELATION
    second_members = (second[1] >= SIMILAR_CORRELATION) & ~first_members
    if min(np.count_nonzero(first_members), np.count_nonzero(second_members)) < MIN_TEMPLATE_BEATS:
        return first
    first_spread = finite_median(qrs_spread_ms(signal, signal.r_peaks + first[2])[first_members])
    second_spread = finite_median(qrs_spread_ms(signal, signal.r_peaks + second[2])[second_members])
    if second_spread < CLEARLY_NARROWER * first_spread:
        return second
    if first_spread < CLEARLY_NARROWER * second_spread:
        return first
    rr_before = np.diff(np.asarray(r_peaks, dtype=np.float64), prepend=np.nan)
    first_rr = finite_median(rr_before[first_members])
    second_rr = finite_median(rr_before[second_members])
    return second if second_rr > CLEARLY_LATER * first_rr else first


def recurring_shape(signal: MorphologySignal, members: BoolArray, min_beats: int) -> BoolArray:
    """Per beat: matches (correlation >= SIMILAR_CORRELATION) the shape that at least
    ``min_beats`` of the ``members`` share, their medoid as for the normal template; all
    False when they share none. One ectopic focus gives the same QRS every time; contact
    and motion artefacts rarely repeat."""
    matches = np.zeros(len(members), dtype=bool)
    if np.count_nonzero(members) < min_beats:
        return matches
    _, correlation, _ = dominant_template(signal, seed=members)
    if np.count_nonzero(members & (correlation >= SIMILAR_CORRELATION)) < min_beats:
        return matches
    return np.asarray(correlation >= SIMILAR_CORRELATION, dtype=np.bool_)
