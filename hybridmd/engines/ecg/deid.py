"""De-identify an ECG by rebuilding it from its samples and a short whitelist of facts.

Whatever is written afterwards (write_wfdb, write_dicom_waveform) is made from the new
ECG alone, so no header comment or DICOM attribute of the original file survives.
"""

from __future__ import annotations

import re

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.ecg.leads import KNOWN_LEADS
from hybridmd.engines.ecg.model import ECG

KEPT_META_KEYS = frozenset(
    {
        "format",
        "format_detail",
        "lead_labels",
        "units",
        "units_note",
        "manufacturer",
        "device_model",
        "filter_low_hz",
        "filter_high_hz",
        "notch_hz",
        "multiplex_label",
        "dropped_leads",
        "dropped_signals",
    }
)

# Labels that are generic rather than standard, and cannot carry a name.
_GENERIC_LABEL = re.compile(r"^(?:ECG|EKG|Signal|Channel)?\s*\d*$|^v?[xyzXYZ]$", re.IGNORECASE)

# Why a removed key mattered; the report says where and why, never the value.
_REASONS = {
    "patient_name": "patient's name",
    "patient_id": "patient identifier",
    "patient_birth_date": "date of birth",
    "patient_sex": "sex",
    "patient_age": "age",
    "institution": "institution name",
    "station": "acquisition station name",
    "accession_number": "accession number",
    "study_date": "study date",
    "referring_physician": "referring physician",
    "header_comments": "free-text comments, which can hold age, sex, diagnoses or names",
    "header_start": "recording date and time as written in the header",
    "machine_statements": "machine interpretation text, which can name people or places",
}


def deidentify_ecg(ecg: ECG) -> tuple[ECG, DeidReport]:
    report = DeidReport()
    meta: dict[str, str] = {}
    for key in sorted(ecg.source_meta):
        if key in KEPT_META_KEYS:
            meta[key] = ecg.source_meta[key]
        else:
            report.add(
                where=f"ECG source metadata: {key}",
                action="removed",
                detail=_REASONS.get(key, "not on the list of non-identifying ECG facts"),
            )
    if ecg.start is not None:
        report.add(
            where="ECG recording start date and time",
            action="removed",
            detail="dates identify; the waveform keeps its relative timing",
        )
    unusual = [
        name
        for name in ecg.leads
        if (base := name.split(" (")[0]) not in KNOWN_LEADS and not _GENERIC_LABEL.match(base)
    ]
    if unusual:
        report.risks.append(
            f"{len(unusual)} lead label(s) are not standard lead names; check that they carry "
            f"no names or other identifying text before publishing."
        )
    clean = ECG(leads=dict(ecg.leads), fs=ecg.fs, start=None, source_meta=meta)
    return clean, report
