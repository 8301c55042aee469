"""RR-interval irregularity features for atrial fibrillation, after Dash et al. (2009),
Sarkar et al. (2008) and Lake & Moorman (2011).

Every feature takes a window of RR intervals in seconds whose successive pairs are
adjacent beats (gaps around ventricular beats are handled by the caller through
``adjacent``). The features are cheap enough to slide beat by beat over a Holter record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray

# Lake & Moorman's fixed tolerance for the coefficient of sample entropy (seconds).
COSEN_TOLERANCE_S = 0.030
ENTROPY_CHUNK = 128
# A successive RR change larger than this fraction of the local RR is "irregular"; sinus
# rhythm at rest rarely changes by more than 5-8 % from one beat to the next.
IRREGULAR_STEP_FRACTION = 0.10
# Beat-to-beat jitter of an organised rhythm stays within a few percent of its RR level;
# the levels of bigeminy or block differ by far more.
CLUSTER_TOLERANCE = 0.05
CLUSTER_SEPARATION = 0.2
# Above this share of intervals on two RR levels the rhythm is regularly irregular.
CLUSTERED_FRACTION_MAX = 0.7


@dataclass(frozen=True)
class IrregularityFeatures:
    """RR irregularity of one window; ``None`` where the window is too short to tell."""

    n_intervals: int
    mean_rr_s: float
    nrmssd: float  # RMSSD / mean RR (Dash et al.)
    median_step_ratio: float  # median |delta RR| / median RR, robust to isolated ectopy
    irregular_step_fraction: float  # share of |delta RR| above 10 % of the local RR
    turning_point_ratio: float  # ~1 for a random series, 1.5 for bigeminy, low for trends
    cosen: float | None  # coefficient of sample entropy (Lake & Moorman)
    range_s: float  # max RR - min RR
    clustered_fraction: float  # share of RR within 5 % of one of two distinct RR levels


def successive_steps(rr_s: FloatArray, adjacent: BoolArray) -> FloatArray:
    """RR[k+1] - RR[k] for the pairs flagged adjacent (both intervals valid, touching)."""
    if rr_s.size < 2:
        return np.zeros(0, dtype=np.float64)
    steps = np.diff(rr_s)
    return np.asarray(steps[adjacent[: steps.size]], dtype=np.float64)


def turning_point_ratio(rr_s: FloatArray) -> float:
    """Observed over expected turning points; expected is 2/3 (n - 2) for a random series."""
    if rr_s.size < 3:
        return float("nan")
    left = rr_s[1:-1] - rr_s[:-2]
    right = rr_s[1:-1] - rr_s[2:]
    turning = np.count_nonzero(left * right > 0)
    return float(turning / (2.0 / 3.0 * (rr_s.size - 2)))


def sample_entropy(series: FloatArray, tolerance: float, *, order: int = 1) -> float | None:
    """SampEn(m, r) with Richman & Moorman's counting; ``None`` when no templates match."""
    n = series.size
    if n < order + 3:
        return None
    templates_m = np.lib.stride_tricks.sliding_window_view(series[: n - 1], order)
    templates_m1 = np.lib.stride_tricks.sliding_window_view(series, order + 1)
    matches_m = _count_matches(templates_m, tolerance)
    matches_m1 = _count_matches(templates_m1, tolerance)
    if matches_m == 0 or matches_m1 == 0:
        return None
    return float(-np.log(matches_m1 / matches_m))


def _count_matches(templates: FloatArray, tolerance: float) -> int:
    distance = np.max(np.abs(templates[:, None, :] - templates[None, :, :]), axis=2)
    close = distance <= tolerance
    return int((np.count_nonzero(close) - templates.shape[0]) // 2)


def coefficient_of_sample_entropy(rr_s: FloatArray) -> float | None:
    """COSEn = SampEn(1, r) + ln(2r) - ln(mean RR), r = 30 ms; AF above about -1.4.

    When no pair of intervals matches (very irregular, very short window) the series is
    given the largest entropy the window could show, ln of its number of templates.
    Long series (the counting is quadratic) give the median over 128-interval chunks.
    """
    if rr_s.size < 8:
        return None
    if rr_s.size > 2 * ENTROPY_CHUNK:
        chunks = [rr_s[i : i + ENTROPY_CHUNK] for i in range(0, rr_s.size, ENTROPY_CHUNK)]
        values = [coefficient_of_sample_entropy(c) for c in chunks if c.size >= 8]
        return float(np.median([v for v in values if v is not None]))
    entropy = sample_entropy(rr_s, COSEN_TOLERANCE_S)
    if entropy is None:
        entropy = float(np.log(rr_s.size * (rr_s.size - 1) / 2))
    return float(entropy + np.log(2 * COSEN_TOLERANCE_S) - np.log(np.mean(rr_s)))


def clustered_fraction(rr_s: FloatArray, *, tolerance: float = CLUSTER_TOLERANCE) -> float:
    """Share of intervals close to one of two distinct RR levels (1-D two-means).

    Near 1 for regularly irregular rhythms (bigeminy, 2:1/3:1 block, alternating
    conduction), well below 1 for the continuous RR spread of fibrillation. 0 when the two
    levels are less than ``CLUSTER_SEPARATION`` apart (one level: nothing to tell).
    """
    if rr_s.size == 0:
        return 0.0
    centres = np.percentile(rr_s, [25.0, 75.0])
    for _ in range(10):
        nearest = np.abs(rr_s[:, None] - centres[None, :]).argmin(axis=1)
        updated = np.array(
            [np.median(rr_s[nearest == k]) if np.any(nearest == k) else centres[k] for k in (0, 1)]
        )
        if np.allclose(updated, centres):
            break
        centres = updated
    if abs(centres[1] - centres[0]) < CLUSTER_SEPARATION * min(centres):
        return 0.0
    distance = np.min(np.abs(rr_s[:, None] - centres[None, :]) / centres[None, :], axis=1)
    return float(np.mean(distance <= tolerance))


def irregularity(rr_s: FloatArray, adjacent: BoolArray) -> IrregularityFeatures | None:
    """The features of one window; ``None`` with fewer than 4 intervals or 3 steps."""
    steps = successive_steps(rr_s, adjacent)
    if rr_s.size < 4 or steps.size < 3:
        return None
    mean_rr = float(np.mean(rr_s))
    median_rr = float(np.median(rr_s))
    if mean_rr <= 0 or median_rr <= 0:
        return None
    rmssd = float(np.sqrt(np.mean(steps**2)))
    abs_steps = np.abs(steps)
    return IrregularityFeatures(
        n_intervals=int(rr_s.size),
        mean_rr_s=mean_rr,
        nrmssd=rmssd / mean_rr,
        median_step_ratio=float(np.median(abs_steps)) / median_rr,
        irregular_step_fraction=float(np.mean(abs_steps > IRREGULAR_STEP_FRACTION * median_rr)),
        turning_point_ratio=turning_point_ratio(rr_s),
        cosen=coefficient_of_sample_entropy(rr_s),
        range_s=float(np.max(rr_s) - np.min(rr_s)),
        clustered_fraction=clustered_fraction(rr_s),
    )


def looks_like_af(features: IrregularityFeatures, *, no_p_waves: bool = False) -> bool:
    """Irregularly irregular: most steps large, not a trend, not a simple alternation.

    The thresholds are physiological: in AF the RR series is close to white noise with a
    coefficient of variation of 15-25 %, so the median successive change is about that
    fraction of the RR and turning points are near the random count; sinus rhythm with
    isolated ectopy keeps a small median change; bigeminy turns at every beat; block and
    bigeminy put the intervals on two levels. ``no_p_waves`` (atrial activity shows no P
    wave at all) lowers the irregularity needed, as AF with a slow, fairly even
    ventricular response still lacks P waves.
    """
    step_min, share_min = (0.04, 0.25) if no_p_waves else (0.06, 0.4)
    if features.median_step_ratio < step_min or features.irregular_step_fraction < share_min:
        return False
    if not 0.55 <= features.turning_point_ratio <= 1.4:
        return False
    if features.clustered_fraction > CLUSTERED_FRACTION_MAX:
        return False
    return features.cosen is None or features.cosen > -1.4
