"""The rhythm of a record: its dominant code, AF episodes, pauses, HRV and ectopy counts.

    rhythm = analyze_rhythm(leads, fs, r_peaks, beat_classes, p_wave_present=..., ...)

Criteria (stated here because the report shows them as evidence):

* Only RR intervals between two N/S beats count for irregularity and rate; intervals
  touching a V, F, Q or paced beat are left out, as are intervals outside 0.2-3.0 s.
* P-wave share (AFIB, SVTAC, SARRH): over the N/S beats, the mean of the delineation's
  share and the share carrying a repeating pre-QRS wave (atrial_activity), whichever are
  known; the repeating share alone when it reaches 70 % (the delineator's amplitude floor
  misses the small P waves of many handheld single-lead recordings, and fibrillatory
  waves do not repeat beat after beat).
* AFIB: irregularly irregular RR (``af_features.looks_like_af``) over a window of 16
  intervals (the whole record when shorter), unless the P-wave share of the irregular
  run is at least 50 %; when every P-wave measure of the record finds P waves in < 20 %
  of beats, less irregularity suffices, judged on N-N intervals only (a few premature
  beats alone vary the RR that much).
* AFLT: a sharp atrial peak at 3.7-6 Hz after QRST cancellation (at least 50 % of the
  3-12 Hz power at the peak and its harmonic), P waves in under half of the beats by the
  delineation (locked F waves pass the repeating-wave test), RR not AF-like, and 75 % of
  the RR intervals whole multiples (2:1, 3:1...) of the atrial cycle.
* PACE: more than half of the beats paced (class "P" or a spike 0-300 ms before the QRS).
* SVTAC: regular narrow-complex rhythm above 150/min without P waves (P-wave information
  needed; without it such a rhythm is reported as STACH).
* SR / SBRAD / STACH by the mean N/S rate (60-100, < 60, > 100 per minute).
  SARRH: in the SR band, not AF, P waves before at least half of the beats, and within
  12-interval chunks the median RR range exceeds 120 ms and 10 % of the mean RR.
* "" when fewer than 5 beats, fewer than 4 usable RR intervals, or fewer than half of
  all intervals usable and fewer than 60 of them (a strip of mostly noise or ectopy,
  e.g. ventricular bigeminy: the PVC count and burden still tell that story).

Pauses are RR intervals over 2.0 s. HRV uses N-N intervals (both beats N, 0.3-2.0 s,
within 20 % of the local median) and is None with fewer than 10 of them or when the
dominant rhythm is AFIB, AFLT or PACE (beat-to-beat variability then is not autonomic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hybridmd.engines.ecg.analysis import atrial_activity
from hybridmd.engines.ecg.analysis.af_features import IrregularityFeatures, irregularity
from hybridmd.engines.ecg.analysis.pacing import SPIKE_LEADS_QRS_S
from hybridmd.engines.ecg.analysis.rhythm_codes import (
    P_WAVE_SINUS_FRACTION,
    is_flutter,
    organised_rhythm_code,
)
from hybridmd.engines.ecg.analysis.rhythm_counts import (
    NO_HRV,
    ectopy,
    heart_rate_variability,
    mean_rate,
    pauses,
)
from hybridmd.engines.ecg.analysis.rhythm_episodes import af_per_interval, run_lengths
from hybridmd.engines.ecg.analysis.types import (
    BoolArray,
    Episode,
    FloatArray,
    IntArray,
    Rhythm,
)

MIN_BEATS = 5
MIN_RHYTHM_INTERVALS = 4
# Below this share of N/S-to-N/S intervals a strip is mostly ectopy or noise (noise bumps
# get classed V or Q) and its underlying rhythm cannot be named, unless the usable
# intervals are many anyway (a long record with frequent PVCs).
MIN_RHYTHM_FRACTION = 0.5
ENOUGH_RHYTHM_INTERVALS = 60
RR_PLAUSIBLE_S = (0.2, 3.0)
RHYTHM_BEATS = frozenset("NS")
PACED_FRACTION_MIN = 0.5
# Every P-wave measure below this: no atrial activity organised into P waves.
P_WAVE_ABSENT_FRACTION = 0.2
# A repeating pre-QRS wave before this share of beats counts as P waves on its own; on
# CinC 2017, 4 of 50 AF-labelled records reach it, 3 of them with a fixed RR pattern.
P_WAVE_REPEATING_ALONE = 0.7
NO_HRV_CODES = frozenset({"AFIB", "AFLT", "PACE"})


def analyze_rhythm(
    leads: Mapping[str, FloatArray],
    fs: float,
    r_peaks: IntArray,
    beat_classes: Sequence[str],
    *,
    p_wave_present: BoolArray | None = None,
    pacing_spikes: IntArray | None = None,
) -> Rhythm:
    """Never raises: odd input gives code "" and empty results.

    Leads of unequal length are cut to the shortest; R peaks outside the signal are
    dropped (with their class and P-wave flag).
    """
    raw = np.asarray(r_peaks, dtype=np.int64).ravel() if len(r_peaks) else _empty_int()
    classes_by_peak = _by_peak(raw, [str(c) for c in beat_classes])
    flags_by_peak = _by_peak(raw, None if p_wave_present is None else list(p_wave_present))
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in leads.items()}
    n_samples = min((a.size for a in arrays.values()), default=0)
    inside = raw[(raw >= 0) & (raw < n_samples)] if arrays else raw[raw >= 0]
    peaks = np.unique(inside)
    classes = [classes_by_peak.get(int(p), "N") for p in peaks.tolist()]
    if not np.isfinite(fs) or fs <= 0:
        return _undetermined(peaks, classes, 1.0, {"reason": "invalid sampling rate"})
    if peaks.size < MIN_BEATS:
        return _undetermined(peaks, classes, fs, {"reason": f"fewer than {MIN_BEATS} beats"})
    p_present = None
    if flags_by_peak:
        p_present = np.array([bool(flags_by_peak.get(int(p))) for p in peaks.tolist()])
    trimmed = {name: a[:n_samples] for name, a in arrays.items()}
    try:
        return _analyze(
            trimmed,
            fs,
            peaks,
            classes=classes,
            n_samples=n_samples or int(peaks[-1]) + 1,
            p_present=p_present,
            pacing_spikes=pacing_spikes,
        )
    except (ValueError, IndexError, FloatingPointError, np.linalg.LinAlgError) as error:
        return _undetermined(peaks, classes, fs, {"reason": f"analysis failed: {error}"})


def _by_peak(raw: IntArray, values: list[Any] | None) -> dict[int, Any]:
    """Per-beat values keyed by R-peak sample; empty when the lengths disagree."""
    if values is None or len(values) != raw.size:
        return {}
    return {int(p): v for p, v in zip(raw.tolist(), values, strict=True)}


def _analyze(
    leads: Mapping[str, FloatArray],
    fs: float,
    peaks: IntArray,
    *,
    classes: list[str],
    n_samples: int,
    p_present: BoolArray | None,
    pacing_spikes: IntArray | None,
) -> Rhythm:
    rr_s = np.diff(peaks) / fs
    valid = _rhythm_intervals(rr_s, classes)
    evidence: dict[str, float | str] = {"n_beats": float(peaks.size)}
    paced_fraction = _paced_fraction(peaks, classes, pacing_spikes, fs)
    if paced_fraction > PACED_FRACTION_MIN:
        evidence["paced_fraction"] = round(paced_fraction, 3)
        return _with_code("PACE", peaks, classes, fs, n_samples=n_samples, evidence=evidence)
    valid_fraction = float(np.mean(valid))
    evidence["rhythm_interval_fraction"] = round(valid_fraction, 3)
    n_valid = int(np.count_nonzero(valid))
    too_few = n_valid < ENOUGH_RHYTHM_INTERVALS and valid_fraction < MIN_RHYTHM_FRACTION
    if n_valid < MIN_RHYTHM_INTERVALS or too_few:
        evidence["reason"] = "too few intervals between normal or supraventricular beats"
        return _undetermined(peaks, classes, fs, evidence)

    p_lead = atrial_activity.atrial_lead(leads)
    p_band = None if p_lead is None else atrial_activity.p_wave_band(leads[p_lead], fs)
    if p_lead is not None:
        evidence["p_wave_lead"] = p_lead
    p_fraction = _p_wave_fraction(
        p_band, fs, peaks, classes=classes, p_present=p_present, evidence=evidence
    )
    spectrum = _spectrum(leads, fs, peaks)
    features = irregularity(rr_s[valid], (valid[:-1] & valid[1:])[np.flatnonzero(valid)[:-1]])
    _add_evidence(evidence, features, spectrum, paced_fraction)

    p_values = [v for k, v in evidence.items() if k.startswith("p_wave_fraction_")]
    no_p_waves = bool(p_values) and max(float(v) for v in p_values) < P_WAVE_ABSENT_FRACTION
    normal = np.array([c == "N" for c in classes], dtype=np.bool_)
    relaxed = valid & normal[:-1] & normal[1:] if no_p_waves else None
    af = af_per_interval(rr_s, valid, relaxed=relaxed)
    for first, stop in run_lengths(af):
        if not af[first]:
            continue
        # An irregular run whose beats mostly carry the same P wave is not fibrillating.
        run_p = _p_wave_fraction(
            p_band,
            fs,
            peaks[first : stop + 1],
            classes=classes[first : stop + 1],
            p_present=None if p_present is None else p_present[first : stop + 1],
            evidence={},
        )
        if run_p is not None and run_p >= P_WAVE_SINUS_FRACTION:
            af[first:stop] = False
    p_delineation = evidence.get("p_wave_fraction_delineation")
    flutter = is_flutter(
        spectrum, None if p_delineation is None else float(p_delineation), rr_s[valid], af
    )
    if flutter and spectrum is not None:
        evidence["flutter_rate_per_min"] = round(60.0 * spectrum.dominant_hz)
    episodes = _episodes(
        peaks,
        rr_s,
        valid=valid,
        af=af,
        n_samples=n_samples,
        p_fraction=p_fraction,
        p_present=p_present,
        record_features=features,
    )
    if flutter:
        episodes = [Episode("AFLT", 0, n_samples)]
    code = _dominant(episodes)
    af_samples = sum(e.end - e.start for e in episodes if e.code == "AFIB")
    evidence["af_burden_pct"] = round(100.0 * af_samples / max(n_samples, 1), 1)
    # The rate that names the rhythm (between normal or supraventricular beats), which
    # differs from the mean rate over all beats when ectopic beats are frequent.
    evidence["rhythm_rate_bpm"] = round(60.0 / float(np.mean(rr_s[valid])), 1)
    pvc, pac, pvc_pct, pac_pct = ectopy(classes)
    return Rhythm(
        code=code,
        heart_rate_bpm=mean_rate(peaks, fs),
        episodes=episodes,
        pauses=pauses(peaks, fs),
        hrv=NO_HRV if code in NO_HRV_CODES else heart_rate_variability(rr_s, classes),
        pvc_count=pvc,
        pac_count=pac,
        pvc_burden_pct=pvc_pct,
        pac_burden_pct=pac_pct,
        evidence=evidence,
    )


def _episodes(
    peaks: IntArray,
    rr_s: FloatArray,
    *,
    valid: BoolArray,
    af: BoolArray,
    n_samples: int,
    p_fraction: float | None,
    p_present: BoolArray | None,
    record_features: IrregularityFeatures | None,
) -> list[Episode]:
    """Contiguous segments covering the record; an AF run starts at its first beat."""
    runs = run_lengths(af)
    episodes: list[Episode] = []
    for index, (first, stop) in enumerate(runs):
        start = 0 if index == 0 else int(peaks[first])
        end = n_samples if index == len(runs) - 1 else int(peaks[stop])
        if af[first]:
            code = "AFIB"
        else:
            segment_valid = valid[first:stop]
            segment_p = p_fraction
            if p_present is not None and len(runs) > 1:
                segment_p = float(np.mean(p_present[first : stop + 1]))
            features = record_features if len(runs) == 1 else None
            code = organised_rhythm_code(rr_s[first:stop][segment_valid], segment_p, features)
        if episodes and episodes[-1].code == code:
            episodes[-1] = Episode(code, episodes[-1].start, end)
        else:
            episodes.append(Episode(code, start, end))
    return episodes


def _dominant(episodes: list[Episode]) -> str:
    covered: dict[str, int] = {}
    for episode in episodes:
        covered[episode.code] = covered.get(episode.code, 0) + episode.end - episode.start
    return max(covered, key=lambda code: covered[code]) if covered else ""


def _rhythm_intervals(rr_s: FloatArray, classes: list[str]) -> BoolArray:
    rhythm_beat = np.array([c in RHYTHM_BEATS for c in classes], dtype=np.bool_)
    plausible = (rr_s >= RR_PLAUSIBLE_S[0]) & (rr_s <= RR_PLAUSIBLE_S[1])
    return np.asarray(rhythm_beat[:-1] & rhythm_beat[1:] & plausible, dtype=np.bool_)


def _p_wave_fraction(
    p_band: FloatArray | None,
    fs: float,
    peaks: IntArray,
    *,
    classes: list[str],
    p_present: BoolArray | None,
    evidence: dict[str, float | str],
) -> float | None:
    """Share of N/S beats with a P wave: the mean of the delineation's share and the share
    of beats carrying a repeating pre-QRS wave (atrial_activity), whichever are known;
    the repeating share alone when it reaches ``P_WAVE_REPEATING_ALONE``.

    A delineator can find a P-like bump before QRS complexes in AF (fibrillatory waves
    are everywhere) or miss small P waves; the repeating-wave test rejects bumps that do
    not recur beat after beat but is fooled by waves locked to the QRS. Neither decides
    alone, except that the same wave before most beats is organised atrial activity
    whatever its size: the delineator's amplitude floor misses the small P waves of many
    handheld single-lead recordings, and fibrillatory waves do not repeat beat after beat.
    """
    rhythm_beat = np.array([c in RHYTHM_BEATS for c in classes], dtype=np.bool_)
    if not np.any(rhythm_beat):
        return None
    fractions: list[float] = []
    if p_present is not None:
        fractions.append(float(np.mean(p_present[rhythm_beat])))
        evidence["p_wave_fraction_delineation"] = round(fractions[-1], 3)
    repeating = None
    if p_band is not None:
        repeating = atrial_activity.p_wave_consistency(p_band, fs, peaks[rhythm_beat])
        if repeating is not None:
            fractions.append(repeating)
            evidence["p_wave_fraction_repeating"] = round(repeating, 3)
    if not fractions:
        return None
    combined = float(np.mean(fractions))
    if repeating is not None and repeating >= P_WAVE_REPEATING_ALONE:
        combined = max(combined, repeating)
    evidence["p_wave_fraction"] = round(combined, 3)
    return combined


def _spectrum(
    leads: Mapping[str, FloatArray], fs: float, peaks: IntArray
) -> atrial_activity.AtrialSpectrum | None:
    lead = atrial_activity.atrial_lead(leads)
    if lead is None:
        return None
    values = np.asarray(leads[lead], dtype=np.float64)
    return atrial_activity.atrial_spectrum(values, fs, peaks[peaks < values.size])


def _add_evidence(
    evidence: dict[str, float | str],
    features: IrregularityFeatures | None,
    spectrum: atrial_activity.AtrialSpectrum | None,
    paced_fraction: float,
) -> None:
    if features is not None:
        evidence["rr_nrmssd"] = round(features.nrmssd, 3)
        evidence["rr_median_step_ratio"] = round(features.median_step_ratio, 3)
        evidence["rr_irregular_step_fraction"] = round(features.irregular_step_fraction, 3)
        evidence["rr_turning_point_ratio"] = round(features.turning_point_ratio, 3)
        evidence["rr_range_ms"] = round(1000.0 * features.range_s, 1)
        if features.cosen is not None:
            evidence["rr_cosen"] = round(features.cosen, 3)
    if spectrum is not None:
        evidence["atrial_dominant_hz"] = round(spectrum.dominant_hz, 2)
        evidence["atrial_rate_per_min"] = round(60.0 * spectrum.dominant_hz)
        evidence["atrial_organisation"] = round(spectrum.organisation, 3)
    evidence["paced_fraction"] = round(paced_fraction, 3)


def _paced_fraction(
    peaks: IntArray, classes: list[str], pacing_spikes: IntArray | None, fs: float
) -> float:
    paced = np.array([c == "P" for c in classes], dtype=np.bool_)
    if pacing_spikes is not None and len(pacing_spikes):
        spikes = np.sort(np.asarray(pacing_spikes, dtype=np.int64))
        before = np.searchsorted(spikes, peaks, side="right") - 1
        has_spike = before >= 0
        lead = (peaks - spikes[np.clip(before, 0, None)]) / fs
        paced |= has_spike & (lead <= SPIKE_LEADS_QRS_S)
    return float(np.mean(paced)) if paced.size else 0.0


def _undetermined(
    peaks: IntArray, classes: list[str], fs: float, evidence: dict[str, float | str]
) -> Rhythm:
    return _with_code("", peaks, classes, fs, n_samples=0, evidence=evidence)


def _with_code(
    code: str,
    peaks: IntArray,
    classes: list[str],
    fs: float,
    *,
    n_samples: int,
    evidence: dict[str, float | str],
) -> Rhythm:
    """A record-wide code (or "" with no episode) and the counts that need no rhythm."""
    pvc, pac, pvc_pct, pac_pct = ectopy(classes)
    return Rhythm(
        code=code,
        heart_rate_bpm=mean_rate(peaks, fs),
        episodes=[Episode(code, 0, n_samples)] if code else [],
        pauses=pauses(peaks, fs) if peaks.size >= 2 else [],
        hrv=NO_HRV,
        pvc_count=pvc,
        pac_count=pac,
        pvc_burden_pct=pvc_pct,
        pac_burden_pct=pac_pct,
        evidence=evidence,
    )


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)
