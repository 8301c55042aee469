"""ECG engine: read, validate, de-identify, write and draw ECG recordings (no Django).

from hybridmd.engines.ecg import read_ecg, deidentify_ecg, render_svg
"""

from __future__ import annotations

from hybridmd.engines.ecg.deid import deidentify_ecg
from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io import read_ecg, sniff_ecg, write_dicom_waveform, write_wfdb
from hybridmd.engines.ecg.leads import STANDARD_12, normalise_lead_name
from hybridmd.engines.ecg.model import ECG
from hybridmd.engines.ecg.render import render_12lead_svg, render_strips_svg, render_svg

__all__ = [
    "ECG",
    "STANDARD_12",
    "ECGReadError",
    "deidentify_ecg",
    "normalise_lead_name",
    "read_ecg",
    "render_12lead_svg",
    "render_strips_svg",
    "render_svg",
    "sniff_ecg",
    "write_dicom_waveform",
    "write_wfdb",
]
