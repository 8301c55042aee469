"""Whether a recording can be read at all, and why not: said plainly instead of guessing.

Three moments: before anything runs (sampling rate, length), after the signal checks
(every lead flat, clipped or noise; no credible heartbeat) and after measuring (a limb
lead reversal turns axes and territories upside down, so nothing is stated). Amplitudes
normalised by an export do not stop the reading, but the voltage criteria are withheld.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from hybridmd.engines.ecg.analysis.rhythm import MIN_BEATS, P_WAVE_ABSENT_FRACTION
from hybridmd.engines.ecg.analysis.scp import negative_depth
from hybridmd.engines.ecg.analysis.statements import SINUS
from hybridmd.engines.ecg.analysis.types import (
    FloatArray,
    IntArray,
    LeadQuality,
    Measurements,
    Rhythm,
)

MIN_FS_HZ = 100.0  # below this a QRS of 80 ms is 7 samples: durations cannot be measured
MIN_DURATION_S = 5.0  # fewer than ~5 beats at 60 bpm: neither rhythm nor a median beat
MIN_USABLE_FRACTION = 0.5  # a lead usable for less than half the record is left out
MAX_CLIPPED_FRACTION = 0.02
PLAUSIBLE_RATE_BPM = (20.0, 300.0)


def before_analysis(fs: float, duration_s: float) -> list[str]:
    reasons = []
    if fs < MIN_FS_HZ:
        reasons.append(
            f"The sampling rate ({fs:g} Hz) is too low to measure the waves; "
            f"at least {MIN_FS_HZ:g} Hz is needed."
        )
    if duration_s < MIN_DURATION_S:
        reasons.append(
            f"The recording is too short ({duration_s:.1f} s); at least {MIN_DURATION_S:g} s "
            f"is needed to read a rhythm."
        )
    return reasons


def usable_leads(quality: Mapping[str, LeadQuality]) -> list[str]:
    """Leads good for most of the record whose waves are not cut off at the rails (a clipped
    QRS has no true amplitude or shape to measure)."""
    return [
        name
        for name, q in quality.items()
        if q.usable_fraction >= MIN_USABLE_FRACTION and q.clipped_fraction < MAX_CLIPPED_FRACTION
    ]


def after_detection(
    quality: Mapping[str, LeadQuality], r_peaks: IntArray, duration_s: float
) -> list[str]:
    if not usable_leads(quality):
        details = "; ".join(
            f"{name}: {', '.join(q.reasons) or 'unusable'}" for name, q in quality.items()
        )
        return [f"No lead carries a readable ECG ({details})."]
    beats = len(r_peaks)
    rate = beats / duration_s * 60 if duration_s > 0 else 0.0
    if beats < MIN_BEATS:
        return [f"No reliable heartbeat was found ({beats} QRS complexes in {duration_s:.1f} s)."]
    low, high = PLAUSIBLE_RATE_BPM
    if not low <= rate <= high:
        return [
            f"The detected rate ({rate:.0f}/min) is not a plausible heart rate; "
            f"the signal is probably noise."
        ]
    return []


def normalised_amplitudes(leads: Mapping[str, FloatArray]) -> list[str]:
    """Some exports scale every lead to the same span; millivolt criteria then mean nothing."""
    spans = [float(np.ptp(values)) for values in leads.values() if len(values)]
    if len(spans) < 3 or min(spans) <= 0:
        return []
    if max(spans) / min(spans) > 1.005:
        return []
    return [
        f"Every lead spans exactly {spans[0]:.2f} mV: the amplitudes appear normalised by the "
        "software that exported the file, so voltage criteria (hypertrophy, low voltage, "
        "ST deviation) are not applied."
    ]


def suspected_limb_lead_reversal(measurements: Measurements) -> list[str]:
    """Left/right arm reversal: lead I shows inverted P, QRS and T while aVR is upright.

    Dextrocardia looks the same in the limb leads; either way the axes and territories
    would be wrong, so the reading stops and says why.
    """
    lead_i, avr = measurements.leads.get("I"), measurements.leads.get("aVR")
    if lead_i is None or avr is None:
        return []
    p_inverted = lead_i.p_amp_mv is not None and lead_i.p_amp_mv < -0.02
    t_inverted = lead_i.t_amp_mv is not None and lead_i.t_amp_mv < -0.05
    qrs_inverted = lead_i.qrs_area_mv_ms < 0 and negative_depth(lead_i) > lead_i.r_amp_mv
    avr_upright = avr.qrs_area_mv_ms > 0 and avr.r_amp_mv > negative_depth(avr)
    if p_inverted and t_inverted and qrs_inverted and avr_upright:
        return [
            "Limb lead reversal is suspected (left and right arm electrodes swapped, or "
            "dextrocardia): lead I shows inverted P, QRS and T waves while aVR is upright."
        ]
    return []


def unnamed_without_p_waves(rhythm: Rhythm, measurements: Measurements) -> tuple[Rhythm, list[str]]:
    """A sinus name needs P waves, and a supraventricular name a narrow QRS or P waves. A
    regular rhythm with wide QRS complexes and no P wave seen is junctional or ventricular,
    or pacing whose spikes the recording lost (AF with ventricular pacing looks exactly so);
    fast, it may be ventricular tachycardia. The rhythm is left unnamed, and why (the
    statements then call a fast one a wide-complex tachycardia)."""
    p_fraction = rhythm.evidence.get("p_wave_fraction")
    no_p_waves = isinstance(p_fraction, float | int) and p_fraction < P_WAVE_ABSENT_FRACTION
    wide = measurements.qrs_ms is not None and measurements.qrs_ms >= 120
    if not wide or not (rhythm.code == "SVTAC" or (rhythm.code in SINUS and no_p_waves)):
        return rhythm, []
    episodes = [replace(e, code="") if e.code in {*SINUS, "SVTAC"} else e for e in rhythm.episodes]
    reason = (
        f"The rhythm is not named: a regular rhythm with wide QRS complexes "
        f"({measurements.qrs_ms:.0f} ms) and no visible P waves is neither sinus nor shown "
        f"to be supraventricular (junctional, ventricular, or paced with the pacing spikes "
        f"filtered out)."
    )
    evidence = {**rhythm.evidence, "reason": "wide QRS without P waves"}
    return replace(rhythm, code="", episodes=episodes, evidence=evidence), [reason]
