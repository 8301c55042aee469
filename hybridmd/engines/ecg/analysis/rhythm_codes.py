"""Naming an organised (non-fibrillating) rhythm: sinus codes, SVT and flutter.

The criteria are listed in ``rhythm``'s module docstring.
"""

from __future__ import annotations

import numpy as np

from hybridmd.engines.ecg.analysis import atrial_activity
from hybridmd.engines.ecg.analysis.af_features import IrregularityFeatures
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray

# Most beats must show a P wave before an irregular rhythm is kept as sinus.
P_WAVE_SINUS_FRACTION = 0.5
FLUTTER_HZ = (3.7, 6.0)
FLUTTER_ORGANISATION_MIN = 0.5
# At least this share of RR intervals within 0.2 atrial cycles of a whole number of them
# (random RR would land there 40 % of the time).
FLUTTER_LOCK_TOLERANCE = 0.2
FLUTTER_LOCKED_FRACTION = 0.75
SVT_RATE_MIN = 150.0
SARRH_CHUNK = 12


def organised_rhythm_code(
    rr_s: FloatArray, p_fraction: float | None, features: IrregularityFeatures | None
) -> str:
    """SR, SBRAD, STACH, SARRH or SVTAC for a stretch that is not fibrillating."""
    if rr_s.size == 0:
        return ""
    rate = 60.0 / float(np.mean(rr_s))
    regular = features is None or features.median_step_ratio < 0.03
    if rate > SVT_RATE_MIN and regular and p_fraction is not None and p_fraction < 0.3:
        return "SVTAC"
    if rate < 60:
        return "SBRAD"
    if rate > 100:
        return "STACH"
    if sinus_arrhythmia(rr_s, p_fraction):
        return "SARRH"
    return "SR"


def sinus_arrhythmia(rr_s: FloatArray, p_fraction: float | None) -> bool:
    """RR range within 12-interval chunks (median over chunks) above 120 ms and 10 % of
    the mean RR, with P waves before most beats."""
    if p_fraction is None or p_fraction < P_WAVE_SINUS_FRACTION or rr_s.size < 6:
        return False
    chunks = [rr_s[i : i + SARRH_CHUNK] for i in range(0, rr_s.size, SARRH_CHUNK)]
    spread = float(np.median([np.ptp(c) for c in chunks if c.size >= 6]))
    return spread > 0.12 and spread > 0.10 * float(np.mean(rr_s))


def is_flutter(
    spectrum: atrial_activity.AtrialSpectrum | None,
    p_delineation: float | None,
    rr_s: FloatArray,
    af: BoolArray,
) -> bool:
    """Organised atrial activity at 3.7-6 Hz that the ventricles follow 2:1, 3:1, 4:1...

    Only the delineation's P waves veto flutter: F waves locked to the QRS repeat before
    every beat and would pass the repeating-wave test.
    """
    if spectrum is None or rr_s.size == 0 or np.mean(af) > 0.5:
        return False
    if p_delineation is not None and p_delineation >= P_WAVE_SINUS_FRACTION:
        return False
    if not FLUTTER_HZ[0] <= spectrum.dominant_hz <= FLUTTER_HZ[1]:
        return False
    if spectrum.organisation < FLUTTER_ORGANISATION_MIN:
        return False
    ratio = rr_s * spectrum.dominant_hz
    locked = (np.abs(ratio - np.round(ratio)) <= FLUTTER_LOCK_TOLERANCE) & (ratio >= 1.5)
    return bool(np.mean(locked) >= FLUTTER_LOCKED_FRACTION)
