"""Hand-built wave shapes with exactly known extents, for delineation and measurement tests."""

from __future__ import annotations

import numpy as np


def bump(t: np.ndarray, start: float, stop: float, amplitude: float) -> np.ndarray:
    """A raised cosine that is exactly zero outside [start, stop]."""
    out = np.zeros_like(t)
    inside = (t >= start) & (t <= stop)
    out[inside] = amplitude * 0.5 * (1 - np.cos(2 * np.pi * (t[inside] - start) / (stop - start)))
    return out
