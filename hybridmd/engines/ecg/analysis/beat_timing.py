"""Beat timing for beat classification: RR intervals, the local normal RR, whether the
surrounding rhythm is irregularly irregular (AF-like), in which prematurity means nothing,
and which beats sit inside an otherwise undisturbed normal cycle (extra detections).

All functions take per-beat arrays in time order; ``normal_beat`` marks beats whose QRS
looks normally conducted, so that ventricular beats do not distort the normal RR.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray, IntArray

# Irregularity: median successive RR change above 8 % of the RR, with premature intervals
# (and the pause after each) set aside ...
IRREGULAR_SUCCESSIVE_RATIO = 0.08
SET_ASIDE_PREMATURE_RATIO = 0.85
# ... or fewer than 45 % of intervals within 15 % of the local median RR ...
NEAR_MEDIAN_TOLERANCE = 0.15
MIN_NEAR_MEDIAN = 0.45
# ... or the RR-dRR map scattered: Lian et al. 2011 call AF at 23 or more occupied 25 ms
# cells out of 32 points (72 %); we ask for 92 % to spare sinus arrhythmia with ectopy.
RR_SCATTER_CELL_MS = 25.0
MIN_RR_SCATTER = 0.95
MIN_SCATTER_POINTS = 16
# Values a window needs to judge, and the fewest a whole short strip is judged on.
MIN_WINDOW_VALUES = 8
MIN_STRIP_VALUES = 5
# Regular-looking gaps up to this many beats inside an irregular stretch are closed.
IRREGULAR_GAP_BEATS = 4
# A beat inside one normal cycle: its neighbours are less than 1.25 normal RR apart (a PAC
# resets the sinus node and a PVC is followed by a pause, so after either the next beat
# comes >= ~1.5 cycles after the one before), and the intervals before and after that pair
# are not short (>= 80 %), so it is an isolated insertion, not part of a run.
INSERTED_SPAN_RATIO = 1.25
ON_SCHEDULE_RATIO = 0.8


def rr_intervals(r_peaks: IntArray) -> tuple[FloatArray, FloatArray]:
    """(RR before, RR after) each beat in samples; NaN where there is no neighbour."""
    r = np.asarray(r_peaks, dtype=np.float64)
    gaps = np.diff(r)
    before = np.concatenate(([np.nan], gaps))
    after = np.concatenate((gaps, [np.nan]))
    return before, after


def finite_median(values: FloatArray) -> float:
    """Median of the finite values; NaN when there are none (without a warning)."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else float("nan")


def sliding_nanmedian(values: FloatArray, half_width: int, minimum: int) -> FloatArray:
    """Centred running median ignoring NaN; NaN where fewer than ``minimum`` values count."""
    n = len(values)
    padded = np.pad(values, half_width, constant_values=np.nan)
    view = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1)[:n]
    enough = np.isfinite(view).sum(axis=1) >= minimum
    result = np.full(n, np.nan)
    if np.any(enough):
        result[enough] = np.nanmedian(view[enough], axis=1)
    return result


def rr_scatter(rr_ms: FloatArray, usable: BoolArray, half_width: int, minimum: int) -> FloatArray:
    """Per beat: the share of distinct cells the nearby intervals occupy on the RR-dRR map.

    After Lian, Wang and Muessig (2011): each interval is a point (RR, RR - previous RR) on
    a grid of 25 ms cells. Sinus rhythm, even with ectopic beats, revisits a few cells; in
    atrial fibrillation nearly every point lands in a cell of its own.
    """
    n = len(rr_ms)
    delta = np.diff(rr_ms, prepend=np.nan)
    valid = usable & np.isfinite(rr_ms) & np.isfinite(delta)
    valid[1:] &= usable[:-1]
    rr_cell = np.floor(np.where(valid, rr_ms, 0.0) / RR_SCATTER_CELL_MS)
    delta_cell = np.floor(np.where(valid, delta, 0.0) / RR_SCATTER_CELL_MS)
    cells = np.where(valid, rr_cell * 100_000.0 + delta_cell, np.nan)
    padded = np.pad(cells, half_width, constant_values=np.nan)
    view = np.sort(np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1)[:n], axis=1)
    counts = np.isfinite(view).sum(axis=1)
    new_cell = (np.diff(view, axis=1) != 0) & np.isfinite(view[:, 1:])
    distinct = new_cell.sum(axis=1) + (counts > 0)
    share = distinct / np.maximum(counts, 1)
    return np.asarray(np.where(counts >= minimum, share, np.nan), dtype=np.float64)


def _sliding_mean(values: FloatArray, half_width: int, minimum: int) -> FloatArray:
    """Centred running mean ignoring NaN; NaN where fewer than ``minimum`` values count."""
    n = len(values)
    padded = np.pad(values, half_width, constant_values=np.nan)
    view = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1)[:n]
    counts = np.isfinite(view).sum(axis=1)
    sums = np.nansum(view, axis=1)
    return np.asarray(np.where(counts >= minimum, sums / np.maximum(counts, 1), np.nan))


def local_reference_rr(
    rr_before: FloatArray, normal_beat: BoolArray, half_width: int
) -> FloatArray:
    """Median of nearby RR intervals that join two normal-morphology beats.

    Ectopic beats shorten and lengthen the intervals around them; the median over about
    2 x ``half_width`` intervals ignores the few that do. Beats with no such interval nearby
    fall back to the median over the whole record.
    """
    usable = np.where(_joins_normal(normal_beat) & np.isfinite(rr_before), rr_before, np.nan)
    finite = usable[np.isfinite(usable)]
    if finite.size == 0:
        # No two normal beats in a row (bigeminy): an ectopic beat and its pause together
        # span about two sinus cycles, so half of every two-interval span estimates one.
        spans = 0.5 * (rr_before[1:] + rr_before[:-1])
        finite = spans[np.isfinite(spans)]
    overall = float(np.median(finite)) if finite.size else np.nan
    local = sliding_nanmedian(usable, half_width, minimum=3)
    return np.asarray(np.where(np.isfinite(local), local, overall), dtype=np.float64)


def _fill_nearest(values: FloatArray) -> FloatArray:
    """NaN entries take the value of the nearest finite entry (all NaN stays all NaN)."""
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size in (0, values.size):
        return values
    positions = np.arange(values.size)
    right = np.clip(np.searchsorted(finite, positions), 0, finite.size - 1)
    left = np.clip(right - 1, 0, finite.size - 1)
    nearest = np.where(
        np.abs(finite[left] - positions) <= np.abs(finite[right] - positions),
        finite[left],
        finite[right],
    )
    return np.asarray(values[nearest], dtype=np.float64)


def _joins_normal(normal_beat: BoolArray) -> BoolArray:
    joins = normal_beat.copy()
    joins[1:] &= normal_beat[:-1]
    if joins.size:
        joins[0] = False
    return joins


def irregular_rhythm(
    rr_before: FloatArray,
    normal_beat: BoolArray,
    reference_rr: FloatArray,
    fs: float,
    half_width: int,
) -> BoolArray:
    """Per beat: the surrounding rhythm is irregularly irregular (AF-like).

    Any of three signs over about 2 x ``half_width`` intervals of normal-looking beats:

    * the median successive RR change is above 8 % of the RR once premature intervals
      (< 85 % of the local reference) and the pause after each are set aside; sinus rhythm,
      even with sinus arrhythmia and frequent premature beats, changes by a few percent;
    * fewer than 45 % of the intervals lie within 15 % of the local median RR;
    * nearly every interval occupies its own cell on the RR-dRR map (``rr_scatter``).
    """
    n = len(rr_before)
    with np.errstate(invalid="ignore"):
        premature = rr_before < SET_ASIDE_PREMATURE_RATIO * reference_rr
    after_premature = np.zeros(n, dtype=bool)
    after_premature[1:] = premature[:-1]
    keep = _joins_normal(normal_beat) & np.isfinite(rr_before) & ~premature & ~after_premature
    kept_index = np.flatnonzero(keep)
    kept_rr = rr_before[kept_index]
    successive = np.full(n, np.nan)
    if kept_index.size >= 2:
        successive[kept_index[1:]] = np.abs(np.diff(kept_rr)) / (0.5 * (kept_rr[1:] + kept_rr[:-1]))
    # A 10-second strip holds only a dozen intervals: then judge on what there is.
    enough = min(MIN_WINDOW_VALUES, max(MIN_STRIP_VALUES, kept_index.size - 1))
    ratio = _fill_nearest(sliding_nanmedian(successive, half_width, minimum=enough))
    # Setting premature intervals aside leaves AF's long intervals, which can look alike;
    # so also: in AF only a minority of intervals lie near the local median RR.
    usable = _joins_normal(normal_beat) & np.isfinite(rr_before)
    with np.errstate(invalid="ignore", divide="ignore"):
        near = np.abs(rr_before / reference_rr - 1.0) < NEAR_MEDIAN_TOLERANCE
    n_usable = int(np.count_nonzero(usable))
    enough = min(MIN_WINDOW_VALUES, max(MIN_STRIP_VALUES, n_usable))
    near_fraction = _fill_nearest(_sliding_mean(np.where(usable, near, np.nan), half_width, enough))
    enough = min(MIN_SCATTER_POINTS, max(MIN_STRIP_VALUES, n_usable - 1))
    scatter = _fill_nearest(rr_scatter(rr_before / fs * 1000.0, usable, half_width, enough))
    with np.errstate(invalid="ignore"):
        irregular = (
            (ratio > IRREGULAR_SUCCESSIVE_RATIO)
            | (near_fraction < MIN_NEAR_MEDIAN)
            | (scatter >= MIN_RR_SCATTER)
        )
    # Close short gaps so that a brief regular-looking stretch inside AF does not re-enable S.
    # Edge padding keeps the closing from eroding the first and last beats.
    gap = IRREGULAR_GAP_BEATS
    padded = np.pad(irregular, gap, mode="edge")
    closed = ndimage.binary_closing(padded, structure=np.ones(2 * gap + 1, dtype=bool))
    return np.asarray(closed[gap : gap + n] | irregular, dtype=np.bool_)


def inserted_beats(r_peaks: IntArray, reference_rr: FloatArray) -> BoolArray:
    """Per beat: squeezed into one normal cycle whose two ends stay on the sinus schedule.

    Such a beat neither resets the rhythm (as a PAC does) nor is followed by a pause (as a
    PVC is): it is an extra detection (a T wave, a motion or contact spike) or, rarely, an
    interpolated PVC. The first and last beats never qualify; a missing outer interval at
    either end of the record counts as on schedule.
    """
    r = np.asarray(r_peaks, dtype=np.float64)
    n = r.size
    inserted = np.zeros(n, dtype=bool)
    if n < 3:
        return inserted
    reference = reference_rr[1:-1]
    span = r[2:] - r[:-2]
    before_pair = np.full(n - 2, np.nan)
    before_pair[1:] = r[1:-2] - r[:-3]
    after_pair = np.full(n - 2, np.nan)
    after_pair[:-1] = r[3:] - r[2:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        tight = span < INSERTED_SPAN_RATIO * reference
        outer_before = np.nan_to_num(before_pair / reference, nan=1.0) >= ON_SCHEDULE_RATIO
        outer_after = np.nan_to_num(after_pair / reference, nan=1.0) >= ON_SCHEDULE_RATIO
    inserted[1:-1] = tight & outer_before & outer_after
    return inserted
