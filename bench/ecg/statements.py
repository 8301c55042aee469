"""Diagnostic statements against the labels the sample databases carry, and our
measurements against a commercial electrocardiograph's on the same recording.

References, each read from the files where the files hold them:
- LUDB 1, 2, 8, 35, 88: the cardiologists' diagnoses in each header (``#Rhythm: ...``).
- CinC 2021 (Georgia, PTB-XL, Ningbo): the SNOMED CT codes in ``# Dx:``.
- PTB-XL 00001: ``scp_codes`` of ptbxl_database.csv as quoted in the folder's MANIFEST
  (the label is not in the record's files).
- The DICOM 12-lead waveform: the Mortara device's own statements and measurements in its
  WaveformAnnotationSequence ("RITMO SINUSALE", "ECG NORMALE", PR, QRS, QT, QTc, axes).
Only codes our engine can state are scored; the others are listed as not covered. The
LUDB copy in the shared data scales every lead to a 1 mV span, so its voltage labels
(LVH) cannot be scored and the engine withholds voltage statements there.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pydicom

from bench.ecg.records import database_dir, load_record, record_names
from hybridmd.engines.ecg import ECG, read_ecg
from hybridmd.engines.ecg.analysis.interpret import Reading, analyze
from hybridmd.engines.ecg.analysis.readability import normalised_amplitudes
from hybridmd.engines.ecg.analysis.scp import LABELS, Patient
from hybridmd.engines.ecg.analysis.statements import VOLTAGE_CODES

# Challenge 2021 dx_mapping (SNOMED CT -> the SCP code we state).
SNOMED_TO_SCP = {
    "426783006": "SR",
    "426177001": "SBRAD",
    "427084000": "STACH",
    "427393009": "SARRH",
    "164889003": "AFIB",
    "164890007": "AFLT",
    "426761007": "SVTAC",
    "10370003": "PACE",
    "270492004": "1AVB",
    "733534002": "CLBBB",
    "164909002": "CLBBB",
    "713427006": "CRBBB",
    "59118001": "CRBBB",
    "713426002": "IRBBB",
    "445118002": "LAFB",
    "164873001": "LVH",
    "55827005": "LVH",  # "left ventricular high voltage": the voltage criteria
    "251146004": "LVOLT",
    "698252002": "IVCD",
    "111975006": "LNGQT",
    "427172004": "PVC",
    "17338001": "PVC",
    "284470004": "PAC",
    "63593006": "PAC",
}
LUDB_TO_SCP = {
    "sinus rhythm": "SR",
    "sinus bradycardia": "SBRAD",
    "sinus tachycardia": "STACH",
    "sinus arrhythmia": "SARRH",
    "atrial fibrillation": "AFIB",
    "atrial flutter": "AFLT",
    "ventricular pacing": "PACE",
    "left ventricular hypertrophy": "LVH",
    "complete right bundle branch block": "CRBBB",
    "incomplete right bundle branch block": "IRBBB",
    "complete left bundle branch block": "CLBBB",
    "left anterior hemiblock": "LAFB",
    "i degree av block": "1AVB",
}
PTBXL_00001 = {"NORM", "SR", "LVOLT"}  # scp_codes {'NORM': 100, 'LVOLT': 0, 'SR': 0}
MORTARA_STATEMENTS = {"RITMO SINUSALE": "SR", "ECG NORMALE": "NORM"}
MORTARA_MEASUREMENTS = {
    "PR Interval": "pr",
    "QRS Duration": "qrs",
    "QT Interval": "qt",
    "QTc Interval": "qtc",
    "P Axis": "p_axis",
    "QRS Axis": "qrs_axis",
    "T Axis": "t_axis",
}


@dataclass(frozen=True)
class Case:
    label: str
    ecg: ECG
    reference: set[str]
    not_covered: list[str]
    patient: Patient


def _sex(text: str) -> Patient:
    age = re.search(r"age>?:\s*(\d+)", text, re.I)
    sex = re.search(r"sex>?:\s*(\w+)", text, re.I)
    value = (sex.group(1).lower() if sex else "")[:1]
    return Patient(
        sex="female" if value == "f" else "male" if value == "m" else None,
        age_years=int(age.group(1)) if age else None,
    )


def _ludb_cases() -> list[Case]:
    cases = []
    for name in record_names("ludb"):
        header = (database_dir("ludb") / f"{name}.hea").read_text().replace("\r", "")
        found, other = set(), []
        for line in header.splitlines():
            text = line.lstrip("#").strip().rstrip(".").strip()
            if not line.startswith("#") or text.startswith("<"):
                continue
            lowered = text.lower().removeprefix("rhythm:").strip()
            codes = {
                code
                for phrase, code in LUDB_TO_SCP.items()
                if re.search(rf"\b{re.escape(phrase)}\b", lowered)
            }
            found |= codes
            if not codes:
                other.append(text)
        ecg = load_record("ludb", name)
        if normalised_amplitudes(ecg.leads):  # this copy scales every lead to 1 mV
            other += [f"{code} (amplitudes normalised)" for code in sorted(found & VOLTAGE_CODES)]
            found -= VOLTAGE_CODES
        cases.append(Case(f"LUDB {name}", ecg, found, other, _sex(header)))
    return cases


def _cinc2021_cases() -> list[Case]:
    cases = []
    for name in record_names("cinc2021"):
        header = (database_dir("cinc2021") / f"{name}.hea").read_text().replace("\r", "")
        match = re.search(r"# Dx:\s*([\d,]+)", header)
        dx = match.group(1).split(",") if match else []
        found = {SNOMED_TO_SCP[c] for c in dx if c in SNOMED_TO_SCP}
        if {"SR", "SBRAD"} <= found or {"SR", "STACH"} <= found:
            found.discard("SR")  # both coded: the specific sinus rate label is the reading
        other = [f"SNOMED {c}" for c in dx if c not in SNOMED_TO_SCP]
        ecg = load_record("cinc2021", name)
        cases.append(Case(f"CinC 2021 {name}", ecg, found, other, _sex(header)))
    return cases


def _dicom_case() -> tuple[Case, dict[str, float]]:
    path = database_dir("mitdb").parent / "dicom_hl7" / "waveform_ecg.dcm"
    data = path.read_bytes()
    dataset = pydicom.dcmread(path)
    statements, measured = set(), {}
    for item in dataset.WaveformAnnotationSequence:
        text = str(getattr(item, "UnformattedTextValue", "") or "")
        if text in MORTARA_STATEMENTS:
            statements.add(MORTARA_STATEMENTS[text])
        if "ConceptNameCodeSequence" in item and "NumericValue" in item:
            meaning = str(item.ConceptNameCodeSequence[0].CodeMeaning)
            if meaning in MORTARA_MEASUREMENTS:
                measured[MORTARA_MEASUREMENTS[meaning]] = float(item.NumericValue)
    case = Case("DICOM Mortara 12-lead", read_ecg({path.name: data}), statements, [], Patient())
    return case, measured


def _ptbxl_case() -> Case:
    return Case(
        "PTB-XL 00001 (100 Hz)",
        load_record("ptbxl", "00001_lr"),
        PTBXL_00001,
        [],
        Patient("female", 56),
    )


def _ours(reading: Reading) -> set[str]:
    return {s.code for s in reading.statements}


def _measurement_row(reading: Reading, device: dict[str, float]) -> list[str]:
    m = reading.measurements
    ours = {
        "pr": m.pr_ms if m else None,
        "qrs": m.qrs_ms if m else None,
        "qt": m.qt_ms if m else None,
        "qtc": m.qtc_bazett_ms if m else None,
        "p_axis": m.p_axis_deg if m else None,
        "qrs_axis": m.qrs_axis_deg if m else None,
        "t_axis": m.t_axis_deg if m else None,
    }
    lines = [
        "| measurement | Mortara device | ours | difference |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, value in device.items():
        mine = ours.get(key)
        shown = "-" if mine is None else f"{mine:.0f}"
        diff = "-" if mine is None else f"{mine - value:+.0f}"
        lines.append(f"| {key.replace('_', ' ')} | {value:.0f} | {shown} | {diff} |")
    return lines


def run() -> list[str]:
    dicom_case, device = _dicom_case()
    cases = [*_ludb_cases(), *_cinc2021_cases(), _ptbxl_case(), dicom_case]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    rows = []
    dicom_reading: Reading | None = None
    for case in cases:
        reading = analyze(case.ecg, case.patient)
        if case is dicom_case:
            dicom_reading = reading
        ours = _ours(reading) & set(LABELS)
        for code in ours & case.reference:
            tp[code] += 1
        for code in ours - case.reference:
            fp[code] += 1
        for code in case.reference - ours:
            fn[code] += 1
        shown = ", ".join(sorted(ours)) if reading.usable else "cannot read: " + reading.reasons[0]
        rows.append(
            f"| {case.label} | {', '.join(sorted(case.reference)) or '-'} | {shown} | "
            f"{'; '.join(case.not_covered) or '-'} |"
        )
    lines = [
        "Statements on every sample record that carries a diagnostic label "
        f"({len(cases)} records), scored per SCP code. Too few records for stable "
        "per-code figures: this table is a check of each rule against real labels, "
        "not a validation study.",
        "",
        "| record | reference | ours | reference labels we do not state |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
        "| code | reference | ours | true positives | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for code in sorted(set(tp) | set(fp) | set(fn)):
        referenced, stated = tp[code] + fn[code], tp[code] + fp[code]
        precision = f"{tp[code] / stated:.2f}" if stated else "-"
        recall = f"{tp[code] / referenced:.2f}" if referenced else "-"
        lines.append(f"| {code} | {referenced} | {stated} | {tp[code]} | {precision} | {recall} |")
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    lines += [
        f"| **all** | {total_tp + total_fn} | {total_tp + total_fp} | {total_tp} | "
        f"{total_tp / max(total_tp + total_fp, 1):.2f} | "
        f"{total_tp / max(total_tp + total_fn, 1):.2f} |",
        "",
        "Our measurements beside the Mortara electrocardiograph's own, on the DICOM record:",
        "",
    ]
    if dicom_reading is not None:
        lines += _measurement_row(dicom_reading, device)
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
