"""Where a wave begins and ends on a velocity curve (|derivative| of one lead, or the
spatial velocity of several): slope-threshold edges relative to the wave's own slope.

    e = edge(noise_floor, steepest_slope, low=0.02, high=0.10)
    onset = e.before(velocity, index_of_steepest_slope, lowest_index)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hybridmd.engines.ecg.analysis.types import FloatArray

# When a dip is bridged, the velocity must come back above this multiple of ``low``.
GAP_RESTART_FACTOR = 3.0


@dataclass(frozen=True)
class Edge:
    """Where a wave's velocity, walked outwards from its steepest slope, has settled: the
    first sample below ``low``, or the first local minimum below ``high`` (the knee where
    the wave leaves the baseline when the baseline itself is not flat)."""

    low: float
    high: float
    gap: int = 0  # dips shorter than this many samples are bridged (notched QRS, small q)
    restart: float = 0.0  # ... when the velocity rises above this again within the gap

    def settled(self, velocity: FloatArray, i: int, neighbour: int, step: int) -> bool:
        here = velocity[i]
        if here >= self.high:
            return False
        if here >= self.low and velocity[neighbour] < here:
            return False
        if not self.gap:
            return True
        reach = i + step * self.gap
        lo, hi = sorted((i + step, reach))
        ahead = velocity[max(0, lo) : max(0, hi) + 1]
        return not (ahead.size and np.max(ahead) >= self.restart)

    def before(self, velocity: FloatArray, start: int, lowest: int) -> int:
        i = start
        while i > lowest and not self.settled(velocity, i, i - 1, -1):
            i -= 1
        return i

    def after(self, velocity: FloatArray, start: int, highest: int) -> int:
        i = start
        while i < highest and not self.settled(velocity, i, i + 1, 1):
            i += 1
        return i


def edge(
    floor: float,
    slope: float,
    low: float,
    high: float,
    gap: int = 0,
    *,
    restart_at_high: bool = False,
) -> Edge:
    def level(fraction: float) -> float:
        return floor + fraction * (slope - floor)

    restart = high if restart_at_high else GAP_RESTART_FACTOR * low
    return Edge(level(low), level(high), gap, level(restart))
