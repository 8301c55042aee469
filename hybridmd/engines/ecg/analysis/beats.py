"""QRS detection fused across leads.

1. Each lead is checked for quality (``signal_quality``); pacemaker spikes are found on the
   raw leads (very narrow, very steep deflections) and cut out so they cannot pass for QRS.
2. Each lead is resampled to 250 Hz and turned into a QRS energy envelope in the spirit of
   Pan & Tompkins (1985): 5-20 Hz band-pass, derivative, and the RMS of the derivative over
   100 ms. The envelope is divided by its own running QRS level, so every lead's QRS
   complexes peak near 1 whatever the lead's amplitude or its slow amplitude changes.
3. The normalised envelopes are averaged with per-sample weights (signal-quality-weighted
   fusion, after Johnson et al. 2015): a lead that is flat, saturated or pure noise there
   does not vote; otherwise its weight is its local squared signal-to-noise ratio, so a
   noisy lead, or one whose QRS complexes faded, votes less.
4. Peaks of the fused envelope are accepted with Pan-Tompkins adaptive thresholds, raised
   inside noise bursts: a 200 ms refractory period, T-wave rejection by slope within 360 ms
   of the previous beat, a search-back at a lower threshold when no beat came for 1.66
   mean RR intervals, and of two beats closer than 270 ms the clearly weaker one dropped.
   Small QRS-like peaks that recur between large beats (bigeminy) are recovered afterwards.
   A complex that splits a regular RR interval or fills a long gap must resemble a beat
   around it in every lead that clearly shows it; otherwise it is an artefact.
5. Each beat is placed on the largest absolute deflection of the QRS in the reference lead
   (in the lead contributing most where the reference lead does not show the complex),
   on the recording's own sampling rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.signal import find_peaks

from hybridmd.engines.ecg.analysis.filters import (
    bandpass,
    moving_average,
    resample,
    running_percentile,
    waveform_likeness,
)
from hybridmd.engines.ecg.analysis.pacing import find_pacing_spikes, pacing_spikes, remove_spikes
from hybridmd.engines.ecg.analysis.signal_quality import LeadDefects, describe, lead_defects
from hybridmd.engines.ecg.analysis.types import BeatDetection, FloatArray, IntArray

WORK_FS = 250.0
REFRACTORY_S = 0.2
T_WAVE_WINDOW_S = 0.36
SEARCH_BACK_RR = 1.66
SEARCH_BACK_THRESHOLD = 0.5
R_PEAK_SEARCH_S = 0.07
PLACE_MIN_LEVEL = 0.25
MIN_DURATION_S = 0.5
NOISE_FLOOR_PERCENTILE = 30.0
SNR_WINDOW_S = 3.0
LOCAL_FLOOR_S = 1.0
LOCAL_FLOOR_FACTOR = 2.5
NOISE_FLOOR_MIN = 0.03
CLOSE_PAIR_S = 0.27
RESCUE_FLOOR_FACTOR = 4.0
RESCUE_MAX_WIDTH_S = 0.2
RESCUE_WINDOW_S = 20.0
RESCUE_MIN_SHARE = 0.33
CLOSE_PAIR_RATIO = 1.6
EXTRA_NEIGHBOURS = 8
CARRY_LEVEL = 0.5
EXTRA_SPAN_RR = 1.3
EXTRA_MIN_LIKENESS = 0.7
LIKENESS_HALF_S = 0.1
LIKENESS_LAG_S = 0.04


@dataclass(frozen=True)
class _Leads:
    resampled: list[FloatArray]  # each lead at WORK_FS
    envelopes: list[FloatArray]  # each lead's normalised QRS envelope
    weights: list[FloatArray]  # each lead's fusion weight per working sample


def detect_beats(leads: Mapping[str, FloatArray], fs: float) -> BeatDetection:
    """R peaks fused across all usable leads, with pacing spikes and per-lead quality.

    Never raises: an empty, flat, noisy or very short recording gives no beats, and the
    lead quality reasons say why.
    """
    names = list(leads)
    signals = [_finite(leads[name]) for name in names]
    valid_rate = bool(np.isfinite(fs) and fs > 0)
    defects = [lead_defects(x, fs if valid_rate else 1.0) for x in signals]
    quality = {
        name: describe(d, fs if valid_rate else 1.0) for name, d in zip(names, defects, strict=True)
    }
    empty = np.zeros(0, dtype=np.int64)
    n = min((x.size for x in signals), default=0)
    if not valid_rate or n < MIN_DURATION_S * fs:
        return BeatDetection(r_peaks=empty, pacing_spikes=empty, lead_quality=quality)

    signals = [x[:n] for x in signals]
    spikes = find_pacing_spikes(signals, [~d.silent[:n] for d in defects], fs)
    cleaned = [remove_spikes(x, spikes, fs) for x in signals]

    resampled = [resample(x, fs, WORK_FS) for x in cleaned]
    envelopes = [_normalised_envelope(x) for x in resampled]
    n_work = min(e.size for e in envelopes)
    weights = [
        _lead_weight(d, env[:n_work], n_work) for d, env in zip(defects, envelopes, strict=True)
    ]
    fused = _fuse([e[:n_work] for e in envelopes], weights)
    work_peaks = _prune_close_pairs(_rescue_small_beats(_accept_peaks(fused), fused), fused)
    context = _Leads(resampled, envelopes, weights)
    work_peaks = _drop_unlike_extras(work_peaks, fused, context)
    r_peaks = _place_on_r_peaks(work_peaks, fused, cleaned, context, fs=fs)
    pacing = pacing_spikes(spikes, r_peaks, fs)
    return BeatDetection(r_peaks=r_peaks, pacing_spikes=pacing, lead_quality=quality)


def _finite(values: FloatArray) -> FloatArray:
    x = np.asarray(values, dtype=np.float64).ravel()
    return np.where(np.isfinite(x), x, 0.0) if x.size else x


def _normalised_envelope(x: FloatArray) -> FloatArray:
    """QRS energy envelope at WORK_FS, scaled so the lead's QRS complexes peak near 1."""
    if x.size < 8:
        return np.zeros(x.size)
    band = bandpass(x, WORK_FS, 5.0, 20.0)
    slope = np.gradient(band) * WORK_FS
    envelope = np.sqrt(np.maximum(moving_average(slope**2, int(0.1 * WORK_FS)), 0.0))
    return envelope / _running_qrs_level(envelope)


def _running_qrs_level(envelope: FloatArray) -> FloatArray:
    """Median over ~16 s of the envelope maxima in 1.5 s blocks, floored at a fraction of
    the lead's overall level so that pauses and quiet stretches are not blown up."""
    block = int(1.5 * WORK_FS)
    n_blocks = max(1, -(-envelope.size // block))
    padded = np.zeros(n_blocks * block)
    padded[: envelope.size] = envelope
    block_max = padded.reshape(n_blocks, block).max(axis=1)
    running = ndimage.median_filter(block_max, size=min(11, n_blocks), mode="nearest")
    overall = float(np.median(block_max))
    floor = max(0.3 * overall, 1e-6)
    centres = (np.arange(n_blocks) + 0.5) * block
    level = np.interp(np.arange(envelope.size), centres, np.maximum(running, floor))
    return np.asarray(level, dtype=np.float64)


def _lead_weight(defects: LeadDefects, envelope: FloatArray, n_work: int) -> FloatArray:
    """Per working sample: 0 where the lead must not vote, lower where it is noisy."""
    n = defects.silent.size
    index = np.minimum((np.arange(n_work) * n / max(n_work, 1)).astype(np.int64), n - 1)
    weight = np.ones(n_work)
    weight[(defects.muscle | defects.wander)[index]] = 0.5
    weight[defects.silent[index]] = 0.0
    return np.asarray(weight * _signal_to_noise(envelope), dtype=np.float64)


def _signal_to_noise(envelope: FloatArray) -> FloatArray:
    """Squared local SNR of a normalised envelope, per sample.

    Noise is a low percentile of the envelope in successive 3 s windows (the level between beats).
    Signal is the window's second-highest envelope peak (every 3 s window holds at least two
    beats above 40 bpm, so one artefact, such as a step, does not count as signal), capped
    at the lead's usual QRS level (1) so that artefacts larger than the QRS complexes earn
    no extra weight, while a lead whose QRS complexes faded (amplifier recovering, electrode
    slipping) loses it. Squared ratios make this an inverse-variance weighting of the leads.
    """
    window = int(SNR_WINDOW_S * WORK_FS)
    positions, props = find_peaks(envelope, distance=int(REFRACTORY_S * WORK_FS))
    heights = props.get("peak_heights", envelope[positions])
    starts = np.arange(0, max(1, envelope.size), window)
    snr = np.zeros(starts.size)
    for i, start in enumerate(starts):
        chunk = envelope[start : start + window]
        in_window = np.sort(heights[(positions >= start) & (positions < start + window)])
        if in_window.size >= 2:
            signal = float(in_window[-2])
        else:
            signal = 0.5 * float(in_window[-1]) if in_window.size else 0.0
        noise = float(np.percentile(chunk, NOISE_FLOOR_PERCENTILE)) if chunk.size else 1.0
        snr[i] = min(signal, 1.0) ** 2 / (noise**2 + NOISE_FLOOR_MIN**2)
    centres = np.minimum(starts + window / 2, envelope.size - 1)
    return np.asarray(np.interp(np.arange(envelope.size), centres, snr), dtype=np.float64)


def _fuse(envelopes: list[FloatArray], weights: list[FloatArray]) -> FloatArray:
    total = np.sum(weights, axis=0)
    weighted = np.sum([w * e for w, e in zip(weights, envelopes, strict=True)], axis=0)
    fused = np.zeros_like(total)
    voting = total > 1e-6
    fused[voting] = weighted[voting] / total[voting]
    return np.asarray(fused, dtype=np.float64)


def _accept_peaks(fused: FloatArray) -> IntArray:
    """Pan-Tompkins decision rules on the fused envelope (indices at WORK_FS)."""
    refractory = int(REFRACTORY_S * WORK_FS)
    candidates, props = find_peaks(fused, distance=refractory, height=0.05)
    heights = props["peak_heights"]
    signal_level, noise_level = 0.8, 0.1
    accepted: list[int] = []
    accepted_heights: list[float] = []
    last_checked = 0
    # Within bursts of noise the envelope between beats rises; a candidate must clear it.
    local_floor = running_percentile(fused, int(LOCAL_FLOOR_S * WORK_FS), 30.0)

    def threshold(at: int) -> float:
        adaptive = noise_level + 0.3 * (signal_level - noise_level)
        return max(adaptive, LOCAL_FLOOR_FACTOR * float(local_floor[at]))

    for k, (position, height) in enumerate(zip(candidates, heights, strict=True)):
        if len(accepted) >= 2:
            rr = float(np.mean(np.diff(accepted[-9:])))
            if position - accepted[-1] > SEARCH_BACK_RR * rr:
                missed = _search_back(candidates, heights, last_checked, k, accepted[-1])
                if missed is not None and heights[missed] > SEARCH_BACK_THRESHOLD * threshold(
                    candidates[missed]
                ):
                    accepted.append(int(candidates[missed]))
                    accepted_heights.append(float(heights[missed]))
                    signal_level = 0.25 * heights[missed] + 0.75 * signal_level
        last_checked = k
        if height > threshold(position) and not _is_t_wave(
            position, height, accepted, accepted_heights
        ):
            if accepted and position - accepted[-1] < refractory:
                continue
            accepted.append(int(position))
            accepted_heights.append(float(height))
            signal_level = 0.125 * height + 0.875 * signal_level
        else:
            noise_level = 0.125 * height + 0.875 * noise_level
    return np.asarray(accepted, dtype=np.int64)


def _rescue_small_beats(accepted: IntArray, fused: FloatArray) -> IntArray:
    """Small complexes between much larger ones (bigeminy with big ectopic beats) stay under
    the adaptive threshold, which follows the large beats. A rejected peak is a beat when it
    is QRS-like (narrow envelope, well above the local noise floor), sits outside the
    previous beat's T-wave window, and such peaks recur in at least a third of the RR
    intervals around it: an isolated bump is noise, a recurring one is a rhythm."""
    if accepted.size < 3:
        return accepted
    refractory = int(REFRACTORY_S * WORK_FS)
    candidates, props = find_peaks(fused, distance=refractory, height=0.1, width=0)
    floor = running_percentile(fused, int(LOCAL_FLOOR_S * WORK_FS), 30.0)
    following = np.searchsorted(accepted, candidates)
    previous = accepted[np.maximum(following - 1, 0)]
    upcoming = accepted[np.minimum(following, accepted.size - 1)]
    plausible = (
        (following > 0)
        & (following < accepted.size)
        & (candidates - previous > T_WAVE_WINDOW_S * WORK_FS)
        & (upcoming - candidates > 1.2 * refractory)
        & (props["peak_heights"] > RESCUE_FLOOR_FACTOR * floor[candidates])
        & (props["widths"] < RESCUE_MAX_WIDTH_S * WORK_FS)
    )
    found = candidates[plausible]
    if found.size == 0:
        return accepted
    half_window = RESCUE_WINDOW_S * WORK_FS / 2
    recurring = [
        np.count_nonzero(np.abs(found - c) <= half_window)
        >= RESCUE_MIN_SHARE * np.count_nonzero(np.abs(accepted - c) <= half_window)
        for c in found
    ]
    rescued = found[np.asarray(recurring, dtype=bool)]
    return np.asarray(np.union1d(accepted, rescued), dtype=np.int64)


def _search_back(
    candidates: IntArray, heights: FloatArray, start: int, stop: int, last_beat: int
) -> int | None:
    """The highest candidate between the last beat and the current one, outside the last
    beat's T-wave window (a missed beat in a long gap is not hiding in the T wave)."""
    best: int | None = None
    for k in range(start, stop):
        if candidates[k] - last_beat < T_WAVE_WINDOW_S * WORK_FS:
            continue
        if best is None or heights[k] > heights[best]:
            best = k
    return best


def _is_t_wave(
    position: int, height: float, accepted: list[int], accepted_heights: list[float]
) -> bool:
    """Within 360 ms of a beat, a complex with less than half its slope is a T wave."""
    if not accepted or position - accepted[-1] > T_WAVE_WINDOW_S * WORK_FS:
        return False
    return height < 0.5 * accepted_heights[-1]


def _prune_close_pairs(peaks: IntArray, fused: FloatArray) -> IntArray:
    """Of two beats closer than 270 ms (faster than ~220 bpm) with clearly unequal QRS
    energy, the weaker is an artefact or a T wave: true beats that close together come in
    runs of similar complexes (tachycardia)."""
    keep = np.ones(peaks.size, dtype=bool)
    close = int(CLOSE_PAIR_S * WORK_FS)
    for k in range(1, peaks.size):
        if peaks[k] - peaks[k - 1] >= close or not keep[k - 1]:
            continue
        first, second = float(fused[peaks[k - 1]]), float(fused[peaks[k]])
        if max(first, second) > CLOSE_PAIR_RATIO * min(first, second):
            keep[k - 1 if first < second else k] = False
    return np.asarray(peaks[keep], dtype=np.int64)


def _drop_unlike_extras(peaks: IntArray, fused: FloatArray, leads: _Leads) -> IntArray:
    """Artefacts that pass the thresholds split an otherwise regular RR interval (the beats
    on either side under 1.3 median RR apart) or fill a long gap (search-back). Such a
    complex is kept only if it resembles one of the 16 beats around it in every lead that
    clearly shows it (envelope at least half the lead's QRS level): artefacts (steps, muscle
    bursts, electrode pops) look like a QRS in one lead at best; ectopic beats recur with
    their own shape, or are premature with a pause after them and are not checked. Of two
    neighbours that both split the interval only the weaker is checked."""
    n = peaks.size
    extra, gap = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for k in range(1, n - 1):
        around = np.r_[max(0, k - EXTRA_NEIGHBOURS) : k, k + 1 : k + 1 + EXTRA_NEIGHBOURS]
        rr = float(np.median(np.diff(peaks[around[around < n]])))
        extra[k] = peaks[k + 1] - peaks[k - 1] < EXTRA_SPAN_RR * rr
        gap[k] = peaks[k] - peaks[k - 1] > SEARCH_BACK_RR * rr
    height = fused[peaks]
    stronger = np.zeros(n, dtype=bool)
    stronger[1:] |= extra[1:] & extra[:-1] & (height[1:] > height[:-1])
    stronger[:-1] |= extra[:-1] & extra[1:] & (height[:-1] > height[1:])
    keep = np.ones(n, dtype=bool)
    for k in map(int, np.flatnonzero((extra & ~stronger) | gap)):
        around = np.r_[max(0, k - EXTRA_NEIGHBOURS) : k, k + 1 : k + 1 + EXTRA_NEIGHBOURS]
        around = around[around < n]
        at = int(peaks[k])
        pairs = list(zip(leads.weights, leads.envelopes, strict=True))
        showing = [i for i, (w, e) in enumerate(pairs) if w[at] > 0 and e[at] >= CARRY_LEVEL]
        if not showing:  # no lead clearly shows it: the one that contributes most
            showing = [int(np.argmax([w[at] * e[at] for w, e in pairs]))]
        likeness = min(
            waveform_likeness(
                leads.resampled[i],
                WORK_FS,
                at,
                peaks[around],
                half_s=LIKENESS_HALF_S,
                lag_s=LIKENESS_LAG_S,
            )
            for i in showing
        )
        keep[k] = likeness >= EXTRA_MIN_LIKENESS
    return np.asarray(peaks[keep], dtype=np.int64)


def _place_on_r_peaks(
    work_peaks: IntArray,
    fused: FloatArray,
    cleaned: list[FloatArray],
    leads: _Leads,
    *,
    fs: float,
) -> IntArray:
    """Each fused beat moved to the largest absolute QRS deflection, on the original fs.

    The fused peak can sit between leads' complexes when another lead carries an artefact,
    so the beat first moves to the peak of the chosen lead's own envelope nearby.
    """
    if work_peaks.size == 0:
        return np.zeros(0, dtype=np.int64)
    envelopes, weights = leads.envelopes, leads.weights
    reference_lead = int(np.argmax([float(np.mean(w)) for w in weights]))
    n = cleaned[0].size
    centred = [bandpass(x, fs, 0.5, 45.0) for x in cleaned]
    half = max(1, round(R_PEAK_SEARCH_S * fs))
    peaks: list[int] = []
    strengths: list[float] = []
    for work_index in work_peaks:
        # The reference lead keeps fiducials consistent, unless it does not show this
        # complex (amplifier recovery): then the lead contributing most to the fused peak.
        lead = reference_lead
        if weights[lead][work_index] <= 0 or envelopes[lead][work_index] < PLACE_MIN_LEVEL:
            shares = [
                w[work_index] * e[work_index] for w, e in zip(weights, envelopes, strict=True)
            ]
            lead = int(np.argmax(shares))
        envelope = envelopes[lead]
        reach = int(R_PEAK_SEARCH_S * WORK_FS)
        lo_work = max(0, int(work_index) - reach)
        own_peak = lo_work + int(np.argmax(envelope[lo_work : int(work_index) + reach + 1]))
        centre = round(own_peak * fs / WORK_FS)
        lo, hi = max(0, centre - half), min(n, centre + half + 1)
        if hi <= lo:
            continue
        peaks.append(lo + int(np.argmax(np.abs(centred[lead][lo:hi]))))
        strengths.append(float(fused[work_index]))
    # Two beats placed on the same complex: keep the one with the stronger QRS energy.
    order = np.argsort(peaks, kind="stable")
    placed = np.asarray(peaks, dtype=np.int64)[order]
    strength = np.asarray(strengths)[order]
    keep = np.ones(placed.size, dtype=bool)
    for k in range(1, placed.size):
        previous = k - 1
        while previous >= 0 and not keep[previous]:
            previous -= 1
        if previous >= 0 and placed[k] - placed[previous] < REFRACTORY_S * fs:
            keep[k if strength[k] <= strength[previous] else previous] = False
    return np.asarray(placed[keep], dtype=np.int64)
