"""Where atrial fibrillation starts and stops on a long record.

A window of RR intervals slides along the record; each interval takes the AF call of the
nearest window. AF runs shorter than half a window, and breaks in AF shorter than a
window, are merged into their neighbours, then
each boundary is moved to the interval where the beat-to-beat irregularity changes most
(a two-sided mean-shift search), which brings a 16-beat window down to a few beats.
"""

from __future__ import annotations

import itertools

import numpy as np

from hybridmd.engines.ecg.analysis.af_features import irregularity, looks_like_af
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray

# Beats per analysis window: long enough for the entropy to settle (Lake & Moorman used
# 16-beat segments, Dash et al. 128), short enough to localise a paroxysm.
AF_WINDOW_INTERVALS = 16
WINDOW_STRIDE = AF_WINDOW_INTERVALS // 4
# CPSC 2021 counted AF episodes from 5 beats on; shorter runs left by the boundary search
# are merged into their neighbours.
MIN_RUN_INTERVALS = 5
# Irregularity saturates here so one missed beat does not dominate the boundary search.
_STEP_CLIP = 0.3


def af_per_interval(
    rr_s: FloatArray, valid: BoolArray, *, relaxed: BoolArray | None = None
) -> BoolArray:
    """One AF flag per RR interval (invalid intervals get their neighbours' flag).

    A record with no more than 1.5 windows of valid intervals is judged as one window.
    ``relaxed``: when the record shows no P wave by any measure, the intervals a window
    may also be judged on with the lower irregularity bar of ``looks_like_af`` (the caller
    leaves out those touching a premature beat: a few PACs alone make that much
    variation); ``None`` when the lower bar does not apply.
    """
    n = rr_s.size
    flags = np.zeros(n, dtype=np.bool_)
    valid_index = np.flatnonzero(valid)
    if valid_index.size < 4:
        return flags
    if valid_index.size <= 1.5 * AF_WINDOW_INTERVALS:
        flags[:] = _window_is_af(rr_s, valid, 0, n, relaxed=relaxed)
        return flags
    half = AF_WINDOW_INTERVALS // 2
    centres = valid_index[::WINDOW_STRIDE]
    calls = np.zeros(centres.size, dtype=np.bool_)
    for i, centre_rank in enumerate(range(0, valid_index.size, WINDOW_STRIDE)):
        first = valid_index[max(0, min(centre_rank - half, valid_index.size - 2 * half))]
        last = valid_index[min(valid_index.size - 1, max(centre_rank + half, 2 * half))]
        calls[i] = _window_is_af(rr_s, valid, int(first), int(last) + 1, relaxed=relaxed)
    nearest = np.clip(np.searchsorted(centres, np.arange(n)), 0, centres.size - 1)
    previous = np.clip(nearest - 1, 0, centres.size - 1)
    closer_previous = np.abs(centres[previous] - np.arange(n)) < np.abs(
        centres[nearest] - np.arange(n)
    )
    flags = calls[np.where(closer_previous, previous, nearest)]
    # A pause in fibrillation shorter than a window is taken as part of it; an AF run must
    # last half a window to stand.
    flags = _merge_short_runs(flags, min_af=half, min_other=AF_WINDOW_INTERVALS)
    refined = _refine_boundaries(flags, rr_s, valid, half)
    return _merge_short_runs(refined, min_af=MIN_RUN_INTERVALS, min_other=MIN_RUN_INTERVALS)


def _window_is_af(
    rr_s: FloatArray, valid: BoolArray, start: int, stop: int, *, relaxed: BoolArray | None
) -> bool:
    if _judge(rr_s, valid[start:stop], start, no_p_waves=False):
        return True
    return relaxed is not None and _judge(rr_s, relaxed[start:stop], start, no_p_waves=True)


def _judge(rr_s: FloatArray, window_valid: BoolArray, start: int, *, no_p_waves: bool) -> bool:
    rr = rr_s[start : start + window_valid.size][window_valid]
    adjacent = (window_valid[:-1] & window_valid[1:])[np.flatnonzero(window_valid)[:-1]]
    features = irregularity(rr, adjacent)
    return features is not None and looks_like_af(features, no_p_waves=no_p_waves)


def _merge_short_runs(flags: BoolArray, *, min_af: int, min_other: int) -> BoolArray:
    """Flip runs shorter than their minimum (AF runs ``min_af``, others ``min_other``),
    the relatively shortest first, until none is left."""
    merged = flags.copy()
    while True:
        runs = run_lengths(merged)
        if len(runs) <= 1:
            return merged

        def shortfall(run: tuple[int, int]) -> float:
            minimum = min_af if merged[run[0]] else min_other
            return (run[1] - run[0]) / minimum

        start, stop = min(runs, key=shortfall)
        if shortfall((start, stop)) >= 1:
            return merged
        merged[start:stop] = ~merged[start]


def run_lengths(flags: BoolArray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal values."""
    if flags.size == 0:
        return []
    edges = np.flatnonzero(flags[1:] != flags[:-1]) + 1
    bounds = np.concatenate(([0], edges, [flags.size]))
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


def step_irregularity(rr_s: FloatArray, valid: BoolArray) -> FloatArray:
    """Per interval: |RR[k] - RR[k-1]| / local median RR, clipped; NaN where unknown."""
    n = rr_s.size
    out = np.full(n, np.nan)
    if n < 2:
        return out
    both = valid[1:] & valid[:-1]
    reference = float(np.median(rr_s[valid])) if np.any(valid) else 1.0
    steps = np.abs(np.diff(rr_s)) / max(reference, 1e-3)
    out[1:][both] = np.minimum(steps[both], _STEP_CLIP)
    return out


def _refine_boundaries(
    flags: BoolArray, rr_s: FloatArray, valid: BoolArray, search: int
) -> BoolArray:
    irregular = step_irregularity(rr_s, valid)
    refined = flags.copy()
    for start, _stop in run_lengths(flags)[1:]:
        best, best_shift = start, -1.0
        for candidate in range(max(1, start - search), min(flags.size - 1, start + search) + 1):
            before = irregular[max(0, candidate - search) : candidate]
            after = irregular[candidate : candidate + search]
            if np.all(np.isnan(before)) or np.all(np.isnan(after)):
                continue
            shift = float(np.nanmean(after) - np.nanmean(before))
            if not flags[start]:
                shift = -shift
            if shift > best_shift:
                best, best_shift = candidate, shift
        lo, hi = sorted((start, best))
        refined[lo:hi] = flags[start] if best < start else flags[start - 1]
    return refined
