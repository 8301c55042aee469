"""The library detectors the benchmarks compare with, called the way their docs show."""

from __future__ import annotations

import warnings

import numpy as np

from hybridmd.engines.ecg import ECG
from hybridmd.engines.ecg.analysis.types import IntArray


def neurokit_peaks(ecg: ECG) -> IntArray:
    """NeuroKit2's default R-peak detector (``ecg_clean`` then ``ecg_peaks``) on the first
    lead: it is a single-lead detector."""
    import neurokit2 as nk  # noqa: PLC0415 -- the anchor only, slow to import

    first = np.asarray(next(iter(ecg.leads.values())))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, info = nk.ecg_peaks(nk.ecg_clean(first, sampling_rate=ecg.fs), sampling_rate=ecg.fs)
    return np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
