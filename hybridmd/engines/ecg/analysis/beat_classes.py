"""Beat classification into the AAMI EC57 classes N, S, V, F, Q, plus P for paced beats.

Unsupervised and record-adaptive: no trained model. The record's dominant morphology is
taken as normal conduction, and every beat is judged against it and against its
neighbours' timing, the way a Holter analyst reads a strip:

* V: the QRS looks clearly different from the dominant one, in every lead that carries
  a QRS (an artefact in one lead is not an ectopic beat), and it is wider or, in a
  regular rhythm, early. In AF every beat can look early, so there only width counts.
  In a regular rhythm an on-time beat (RR 92-120 % of the normal one: neither premature
  nor an escape after a pause) is V only when it repeats a shape that at least three
  ventricular beats share: one focus gives the same QRS every time, while finger contact
  and motion on handheld recordings change the shape of normal beats at random.
* F: the QRS correlates moderately with both the dominant and the ventricular template
  (a blend of the two activations) and arrives at about the expected time.
* S: a normal-looking QRS whose RR is suddenly below 87 % of the local normal RR, and
  either clearly early (< 80 %) or followed by a reset (the next RR is not short again),
  or continuing a run of S. In an irregularly irregular rhythm (AF-like) no beat is
  called S on timing.
* P: a pacemaker spike from 60 ms before to 20 ms after the QRS onset.
* Q: a beat that looks different but whose amplitude is implausible or whose baseline is
  too noisy to tell an ectopic beat from distortion, or that is on time without a
  recurring ventricular shape; an extra detection (T wave, contact or motion spike): an S
  or V beat that is very early (< 50 % of the normal RR) and squeezed into one normal
  cycle whose ends stay on the sinus schedule (no PAC reset, no PVC pause), a V beat so
  squeezed that does not repeat a recurring ventricular shape (else an interpolated PVC),
  or a very early V beat of no recurring shape; the beat after an extra detection is
  timed from the beat before it. Also every beat when there are too few beats (< 3) or no
  usable lead to build a reference from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hybridmd.engines.ecg.analysis.beat_features import (
    MAX_LAG_S,
    SIMILAR_CORRELATION,
    WINDOW_AFTER_S,
    WINDOW_BEFORE_S,
    MorphologySignal,
    beat_windows,
    lagged_correlation,
    lead_agreement,
    local_noise,
    normal_template,
    peak_to_peak,
    prepare_morphology,
    qrs_onsets,
    qrs_spread_ms,
    recurring_shape,
)
from hybridmd.engines.ecg.analysis.beat_timing import (
    finite_median,
    inserted_beats,
    irregular_rhythm,
    local_reference_rr,
    rr_intervals,
)
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray, IntArray

# Morphology: correlation with the normal template (best over +/- 40 ms shifts); a beat
# at or above SIMILAR_CORRELATION (0.9) looks like it.
DIFFERENT_CORRELATION = 0.75  # below this a beat is clearly not normally conducted
LEAD_DIFFERENT_CORRELATION = 0.85  # and it must look different in its best leads too
UNRELATED_CORRELATION = 0.3  # a QRS with nothing in common with the normal one
# QRS spread relative to the normal beats: ventricular beats are ~2x as wide.
WIDE_SPREAD_RATIO = 1.5
# Timing: a beat is premature when its RR is below this fraction of the local normal RR.
PREMATURE_RATIO = 0.87
NEAR_NORMAL_TIMING = 0.92
SUDDEN_SHORTENING = 0.90
CLEARLY_PREMATURE_RATIO = 0.80
RESET_RATIO = 0.95
# On time: neither premature nor after a pause (an escape beat, late and wide, may be V).
LATE_RATIO = 1.2
# Below half the normal RR a "beat" is far more often a T wave or a spike detected as a
# beat than an R-on-T PVC or a PAC (and PAC couplets at 55-60 % can look inserted too).
VERY_EARLY_RATIO = 0.5
LOCAL_RR_HALF_WIDTH = 8  # intervals either side for the local normal RR
IRREGULARITY_HALF_WIDTH = 15
# Pacing: spike from 60 ms before to 20 ms after the QRS onset.
PACING_BEFORE_ONSET_S = 0.06
PACING_AFTER_ONSET_S = 0.02
# Fusion: correlates at least moderately with both the normal and the ventricular
# template, and is not a clean ventricular beat.
FUSION_MIN_CORRELATION = 0.6
FUSION_MAX_VENTRICULAR_CORRELATION = 0.95
FUSION_MAX_LEAD_AGREEMENT = 0.92
MIN_VENTRICULAR_BEATS = 3
# A different-looking beat below 30 % or above 5x the normal amplitude (largest lead):
# signal dropout or artefact rather than a heartbeat to classify; ventricular beats are
# usually larger than normal ones, rarely a third of their size in every lead.
MIN_AMPLITUDE_RATIO = 0.3
MAX_AMPLITUDE_RATIO = 5.0
# Baseline noise (median sample-to-sample change / steepest dominant QRS slope) above
# which a beat that looks different is more likely distorted than ectopic.
NOISY_BASELINE = 0.35
NOISE_HALF_WIDTH = 4
MIN_BEATS = 3
MIN_SAMPLING_RATE_HZ = 50.0


def classify_beats(
    leads: Mapping[str, FloatArray],
    fs: float,
    r_peaks: IntArray,
    pacing_spikes: IntArray | None = None,
) -> npt.NDArray[np.str_]:
    """One AAMI class per R peak ("N", "S", "V", "F", "Q" or "P"); never raises."""
    peaks = np.asarray(r_peaks, dtype=np.int64).reshape(-1)
    labels = np.full(peaks.size, "Q", dtype="<U1")
    if peaks.size == 0 or not np.isfinite(fs) or fs < MIN_SAMPLING_RATE_HZ:
        return labels  # below ~50 Hz a QRS is a handful of samples: no shape to compare
    try:
        return _classify(leads, float(fs), peaks, pacing_spikes)
    except (ValueError, FloatingPointError, IndexError, np.linalg.LinAlgError):
        return labels


def _classify(
    leads: Mapping[str, FloatArray],
    fs: float,
    peaks: IntArray,
    pacing_spikes: IntArray | None,
) -> npt.NDArray[np.str_]:
    # Work on sorted, unique peaks; a repeated peak gets the label of its first copy.
    unique_peaks, original = np.unique(peaks, return_inverse=True)
    signal = prepare_morphology(leads, fs, unique_peaks)
    if signal is None or unique_peaks.size < MIN_BEATS:
        unique_labels = np.full(unique_peaks.size, "Q", dtype="<U1")
    else:
        unique_labels = _label_beats(signal, unique_peaks)
        unique_labels[_paced(signal, unique_peaks, fs, pacing_spikes)] = "P"
    return np.asarray(unique_labels[original.reshape(-1)], dtype="<U1")


@dataclass(frozen=True)
class BeatFeatures:
    """What the rules look at, one entry per beat (sorted by time)."""

    windows: FloatArray  # aligned morphology windows, leads concatenated
    dominant: FloatArray  # the normal-conduction template
    correlation: FloatArray  # with the dominant template, best lag, all leads together
    lead_agreement: FloatArray  # the same, lead by lead, in the best-matching leads
    spread_ratio: FloatArray  # QRS spread / normal beats' QRS spread
    amplitude_ratio: FloatArray  # peak-to-peak / normal beats' peak-to-peak
    reference_rr: FloatArray  # local normal RR (samples)
    prematurity: FloatArray  # RR before / local normal RR
    sudden: BoolArray  # RR before is clearly shorter than the RR before that
    reset: BoolArray  # the next RR is not short again (a pause, or a normal interval)
    irregular: BoolArray  # the surrounding rhythm is irregularly irregular
    noisy: BoolArray  # the surrounding baseline is too noisy to trust a different shape


def beat_features(
    signal: MorphologySignal, peaks: IntArray, template: FloatArray | None = None
) -> BeatFeatures:
    """Measure every beat against the normal template (found here unless given) and its
    neighbours' timing."""
    n_leads = signal.samples.shape[0]
    before = signal.seconds(WINDOW_BEFORE_S)
    after = signal.seconds(WINDOW_AFTER_S)
    if template is None:
        dominant, correlation, lags = normal_template(signal, peaks)
    else:
        dominant = template
        correlation, lags = lagged_correlation(signal, signal.r_peaks, template)
    centers = signal.r_peaks + lags
    windows = beat_windows(signal, centers, before, after)
    amplitude = peak_to_peak(windows, n_leads)
    spread = qrs_spread_ms(signal, centers)

    similar = correlation >= SIMILAR_CORRELATION
    normal_spread = finite_median(spread[similar])
    normal_amplitude = finite_median(amplitude[similar])
    with np.errstate(invalid="ignore", divide="ignore"):
        spread_ratio = spread / normal_spread
        amplitude_ratio = amplitude / normal_amplitude

    agreement = lead_agreement(windows, dominant, n_leads)
    noisy = local_noise(signal, dominant, NOISE_HALF_WIDTH) > NOISY_BASELINE
    rr_before, rr_after = rr_intervals(peaks)
    # In noise a normal beat can look different; for the rhythm it still counts as normal.
    normal_shape = ~_different(correlation, agreement, spread_ratio) | noisy
    reference_rr = local_reference_rr(rr_before, normal_shape, LOCAL_RR_HALF_WIDTH)
    with np.errstate(invalid="ignore", divide="ignore"):
        prematurity = rr_before / reference_rr
        shortening = rr_before / np.concatenate(([np.nan], rr_before[:-1]))
    # Sinus rate rising over a few beats also shortens RR below the local median; a
    # premature beat instead cuts one interval short.
    sudden = np.nan_to_num(shortening, nan=0.0) < SUDDEN_SHORTENING
    with np.errstate(invalid="ignore", divide="ignore"):
        reset = np.nan_to_num(rr_after / reference_rr, nan=1.0) >= RESET_RATIO
    irregular = irregular_rhythm(
        rr_before, normal_shape, reference_rr, signal.source_fs, IRREGULARITY_HALF_WIDTH
    )
    return BeatFeatures(
        windows=windows,
        dominant=dominant,
        correlation=correlation,
        lead_agreement=agreement,
        spread_ratio=spread_ratio,
        amplitude_ratio=amplitude_ratio,
        reference_rr=reference_rr,
        prematurity=prematurity,
        sudden=sudden,
        reset=reset,
        irregular=irregular,
        noisy=noisy,
    )


def _wide(spread_ratio: FloatArray) -> BoolArray:
    return np.asarray(np.nan_to_num(spread_ratio, nan=0.0) > WIDE_SPREAD_RATIO, dtype=np.bool_)


def _different(
    correlation: FloatArray, agreement: FloatArray, spread_ratio: FloatArray
) -> BoolArray:
    wide = _wide(spread_ratio)
    different = (correlation < DIFFERENT_CORRELATION) | (wide & (correlation < SIMILAR_CORRELATION))
    different_in_every_lead = np.nan_to_num(agreement, nan=0.0) < LEAD_DIFFERENT_CORRELATION
    return np.asarray(different & different_in_every_lead, dtype=np.bool_)


def _label_beats(signal: MorphologySignal, peaks: IntArray) -> npt.NDArray[np.str_]:
    """Label every beat, then set aside the S and V beats that are most likely extra
    detections (T waves, contact or motion spikes) and label them Q:

    * beats squeezed into one undisturbed normal cycle (``inserted_beats``; not in an
      irregularly irregular rhythm, which keeps no schedule to be undisturbed): very early
      ones (< 50 % of the normal RR; a T wave detected as a beat recurs too), and V ones
      that do not repeat the record's ventricular shape (else an interpolated PVC);
    * very early V beats that match neither the normal nor a recurring ventricular shape.

    Their neighbours are then timed again without them (the beat after an extra detection
    is not premature).
    """
    f = beat_features(signal, peaks)
    labels = _label_pass(signal, f)
    very_early = np.nan_to_num(f.prematurity, nan=1.0) < VERY_EARLY_RATIO
    ventricular = labels == "V"
    recurring = recurring_shape(signal, ventricular, MIN_VENTRICULAR_BEATS)
    inserted = inserted_beats(peaks, f.reference_rr) & ~f.irregular  # AF keeps no schedule
    suspect = (ventricular & ~recurring) | (((labels == "S") | ventricular) & very_early)
    extra = (inserted & suspect) | (ventricular & very_early & ~recurring)
    keep = ~extra
    if not np.any(extra) or np.count_nonzero(keep) < MIN_BEATS:
        return labels
    kept = replace(signal, r_peaks=signal.r_peaks[keep])
    kept_labels = _label_pass(kept, beat_features(kept, peaks[keep], f.dominant))
    # Only the neighbours' timing changed, which can only undo an S or V call that the extra
    # detection caused: those take their new labels, every other beat keeps its own.
    neighbour = np.zeros(len(labels), dtype=bool)
    neighbour[:-1] |= extra[1:]
    neighbour[1:] |= extra[:-1]
    retimed = neighbour & np.isin(labels, ("S", "V"))
    labels[keep] = np.where(retimed[keep], kept_labels, labels[keep])
    labels[extra] = "Q"
    return labels


def _label_pass(signal: MorphologySignal, f: BeatFeatures) -> npt.NDArray[np.str_]:
    wide = _wide(f.spread_ratio)
    different = _different(f.correlation, f.lead_agreement, f.spread_ratio)
    premature = np.nan_to_num(f.prematurity, nan=1.0) < PREMATURE_RATIO

    labels = np.full(len(f.prematurity), "N", dtype="<U1")
    # In AF every beat can look early, and aberrant conduction (which keeps the initial
    # vector, so it still correlates in part) is common: there a different beat is V only
    # when it is wide or unrelated to the normal QRS altogether.
    unrelated = f.correlation < UNRELATED_CORRELATION
    timing = np.where(f.irregular, unrelated, premature)
    ventricular = different & (wide | timing)
    # On time in a regular rhythm a different shape is as likely a contact or motion
    # artefact (handheld ECG) as an end-diastolic PVC: V only when it recurs.
    unconfirmed = (
        ventricular & _on_time(f) & ~recurring_shape(signal, ventricular, MIN_VENTRICULAR_BEATS)
    )
    ventricular &= ~unconfirmed
    labels[ventricular] = "V"
    supraventricular = _supraventricular(f, ~different & premature & ~f.irregular)
    labels[supraventricular] = "S"

    fusion = _fusion(signal, ventricular, f.correlation, f.prematurity)
    # As for V: a blend shows in every lead, an artefact in one lead does not.
    labels[fusion & (f.lead_agreement < FUSION_MAX_LEAD_AGREEMENT)] = "F"

    with np.errstate(invalid="ignore"):
        implausible = (f.amplitude_ratio < MIN_AMPLITUDE_RATIO) | (
            f.amplitude_ratio > MAX_AMPLITUDE_RATIO
        )
    unreadable = different & (implausible | f.noisy)
    labels[unreadable | unconfirmed | _cut_off(signal)] = "Q"
    return labels


def _on_time(f: BeatFeatures) -> BoolArray:
    """In a regular rhythm, neither premature nor late: RR before in [92 %, 120 %) of the
    local normal RR (unknown timing counts as not on time)."""
    timing = np.nan_to_num(f.prematurity, nan=0.0)
    on_time = (timing >= NEAR_NORMAL_TIMING) & (timing < LATE_RATIO) & ~f.irregular
    return np.asarray(on_time, dtype=np.bool_)


def _cut_off(signal: MorphologySignal) -> BoolArray:
    """Beats too close to either end of the recording for their whole QRS window to be
    compared: the missing part would read as a different shape."""
    before = signal.seconds(WINDOW_BEFORE_S + MAX_LAG_S)
    after = signal.seconds(WINDOW_AFTER_S + MAX_LAG_S)
    n_samples = signal.samples.shape[1]
    return np.asarray((signal.r_peaks < before) | (signal.r_peaks >= n_samples - after))


def _supraventricular(f: BeatFeatures, early_normal: BoolArray) -> BoolArray:
    """S among the early normal-looking beats of a regular rhythm.

    The interval must shorten suddenly (not a sinus rate rising over several beats). A
    clearly early beat is S; a borderline one only if the next interval is not short again
    (an ectopic beat resets the sinus node; a faster sinus rhythm keeps the next one short).
    A premature beat right after an S beat continues a run and is S too.
    """
    clearly_early = np.nan_to_num(f.prematurity, nan=1.0) < CLEARLY_PREMATURE_RATIO
    supraventricular = early_normal & f.sudden & (clearly_early | f.reset)
    for index in np.flatnonzero(early_normal & ~supraventricular):
        if index > 0 and supraventricular[index - 1]:
            supraventricular[index] = True
    return supraventricular


def _fusion(
    signal: MorphologySignal,
    ventricular: BoolArray,
    normal_correlation: FloatArray,
    prematurity: FloatArray,
) -> BoolArray:
    """Beats whose shape lies between the normal and the ventricular template, on time.

    A fusion beat is a sinus beat and a ventricular beat activating the ventricles
    together: the QRS is a blend, so it matches neither template well but both moderately,
    and it arrives at the sinus beat's expected time.
    """
    fusion = np.zeros(len(ventricular), dtype=bool)
    if np.count_nonzero(ventricular) < MIN_VENTRICULAR_BEATS:
        return fusion
    before = signal.seconds(WINDOW_BEFORE_S)
    after = signal.seconds(WINDOW_AFTER_S)
    centers = signal.r_peaks[ventricular]
    template = np.median(beat_windows(signal, centers, before, after), axis=0)
    _, lags = lagged_correlation(signal, centers, template)
    template = beat_windows(signal, centers + lags, before, after).mean(axis=0)
    ventricular_correlation, _ = lagged_correlation(signal, signal.r_peaks, template)
    intermediate = (
        (normal_correlation >= FUSION_MIN_CORRELATION)
        & (ventricular_correlation >= FUSION_MIN_CORRELATION)
        & (normal_correlation < SIMILAR_CORRELATION)
        & (ventricular_correlation < FUSION_MAX_VENTRICULAR_CORRELATION)
    )
    on_time = np.nan_to_num(prematurity, nan=1.0) >= NEAR_NORMAL_TIMING
    return np.asarray(intermediate & on_time, dtype=np.bool_)


def _paced(
    signal: MorphologySignal, peaks: IntArray, fs: float, pacing_spikes: IntArray | None
) -> BoolArray:
    """Beats with a pacemaker spike shortly before (or at) their QRS onset."""
    paced = np.zeros(len(peaks), dtype=bool)
    if pacing_spikes is None:
        return paced
    spikes = np.sort(np.asarray(pacing_spikes, dtype=np.int64).reshape(-1))
    if spikes.size == 0:
        return paced
    step = fs / signal.fs
    onsets = np.round(qrs_onsets(signal, signal.r_peaks) * step).astype(np.int64)
    window_start = onsets - round(PACING_BEFORE_ONSET_S * fs)
    window_end = onsets + round(PACING_AFTER_ONSET_S * fs)
    first = np.searchsorted(spikes, window_start, side="left")
    last = np.searchsorted(spikes, window_end, side="right")
    return np.asarray(last > first, dtype=np.bool_)
