"""ANSI/AAMI EC57 beat-by-beat comparison: a detected beat matches a reference beat when
they lie within 150 ms of each other; each beat matches at most once.

    m = match_beats(reference, detected, fs)
    m.sensitivity, m.positive_predictivity
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.types import IntArray

MATCH_WINDOW_S = 0.150


@dataclass(frozen=True)
class BeatMatch:
    tp: int
    fn: int
    fp: int
    pairs: list[tuple[int, int]]  # (index into reference, index into detected)

    @property
    def sensitivity(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def positive_predictivity(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    def __add__(self, other: BeatMatch) -> BeatMatch:
        return BeatMatch(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, [])


def match_beats(
    reference: IntArray, detected: IntArray, fs: float, *, window_s: float = MATCH_WINDOW_S
) -> BeatMatch:
    """Greedy nearest matching in time order (the EC57 reference algorithm's rule)."""
    ref = np.sort(np.asarray(reference, dtype=np.int64))
    det = np.sort(np.asarray(detected, dtype=np.int64))
    window = window_s * fs
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < len(ref) and j < len(det):
        gap = det[j] - ref[i]
        if abs(gap) <= window:
            # Take the closer of this detection and the next one for this reference beat.
            if j + 1 < len(det) and abs(det[j + 1] - ref[i]) < abs(gap):
                j += 1
                continue
            pairs.append((i, j))
            i += 1
            j += 1
        elif gap < 0:
            j += 1
        else:
            i += 1
    tp = len(pairs)
    return BeatMatch(tp=tp, fn=len(ref) - tp, fp=len(det) - tp, pairs=pairs)
