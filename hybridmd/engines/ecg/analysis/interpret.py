"""One call from a recording to its reading: beats, classes, waves, rhythm, statements.

    reading = analyze(ecg)
    reading.as_json()  # the contract of ``hybridmd ecg analyze --json`` and the AI platform

Every stage works on the leads the signal checks found usable; a recording that cannot
be read says why in ``reasons`` and states nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hybridmd.engines.ecg.analysis import readability
from hybridmd.engines.ecg.analysis.beat_classes import classify_beats
from hybridmd.engines.ecg.analysis.beats import detect_beats
from hybridmd.engines.ecg.analysis.delineation import delineate
from hybridmd.engines.ecg.analysis.filters import resample
from hybridmd.engines.ecg.analysis.rhythm import analyze_rhythm
from hybridmd.engines.ecg.analysis.scp import LABELS, Patient, Statement
from hybridmd.engines.ecg.analysis.statements import corrected_qt, interpret
from hybridmd.engines.ecg.analysis.types import (
    BeatFiducials,
    Delineation,
    FloatArray,
    IntArray,
    Measurements,
    Rhythm,
)
from hybridmd.engines.ecg.model import ECG

DELINEATION_MIN_FS = 250.0
DELINEATION_FS = 500.0
ENGINE_NAME = "hybridmd-ecg"
ENGINE_VERSION = "1.0.0"


@dataclass(frozen=True)
class Reading:
    fs: float
    duration_s: float
    lead_names: tuple[str, ...]
    usable: bool
    reasons: list[str]
    r_peaks: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    beat_classes: list[str] = field(default_factory=list)
    pacing_spikes: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    leads_used: tuple[str, ...] = ()
    measurements: Measurements | None = None
    rhythm: Rhythm | None = None
    statements: list[Statement] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return reading_json(self)


def analyze(ecg: ECG, patient: Patient | None = None) -> Reading:
    refused = readability.before_analysis(ecg.fs, ecg.duration_s)
    if refused:
        return _unreadable(ecg, refused)

    detection = detect_beats(ecg.leads, ecg.fs)
    refused = readability.after_detection(detection.lead_quality, detection.r_peaks, ecg.duration_s)
    if refused:
        return _unreadable(ecg, refused)
    used = readability.usable_leads(detection.lead_quality)
    leads = {name: ecg.leads[name] for name in used}
    notes = [
        f"{name} left out: {', '.join(q.reasons) or 'unusable'}"
        for name, q in detection.lead_quality.items()
        if name not in used
    ]
    normalised = readability.normalised_amplitudes(leads)

    r_peaks = detection.r_peaks
    classes = [str(c) for c in classify_beats(leads, ecg.fs, r_peaks, detection.pacing_spikes)]
    delineation = _delineate(leads, ecg.fs, r_peaks, classes)
    refused = readability.suspected_limb_lead_reversal(delineation.measurements)
    if refused:
        return _unreadable(ecg, refused + notes)
    rhythm = analyze_rhythm(
        leads,
        ecg.fs,
        r_peaks,
        classes,
        p_wave_present=delineation.p_wave_present,
        pacing_spikes=detection.pacing_spikes,
    )
    rhythm, unnamed = readability.unnamed_without_p_waves(rhythm, delineation.measurements)
    if not rhythm.code and not unnamed and rhythm.evidence.get("reason"):
        unnamed = [f"The rhythm is not named: {rhythm.evidence['reason']}."]
    statements = interpret(delineation.measurements, rhythm, patient, true_voltage=not normalised)
    return Reading(
        fs=ecg.fs,
        duration_s=ecg.duration_s,
        lead_names=ecg.lead_names,
        usable=True,
        reasons=notes + normalised + unnamed,
        r_peaks=r_peaks,
        beat_classes=classes,
        pacing_spikes=detection.pacing_spikes,
        leads_used=tuple(used),
        measurements=delineation.measurements,
        rhythm=rhythm,
        statements=statements,
    )


def _delineate(
    leads: dict[str, FloatArray], fs: float, r_peaks: IntArray, classes: list[str]
) -> Delineation:
    """Below 250 Hz a wave edge falls between samples 4-10 ms apart; band-limited
    upsampling lets the delineator place it between them (a 100 Hz PTB-XL record's QRS
    measures 130 ms as recorded, 102 ms upsampled, against 110 ms on its 500 Hz twin).
    The beat marks come back on the recording's own sampling rate."""
    if fs >= DELINEATION_MIN_FS:
        return delineate(leads, fs, r_peaks, classes)
    factor = math.ceil(DELINEATION_FS / fs)
    upsampled = {name: resample(values, fs, fs * factor) for name, values in leads.items()}
    fine = delineate(upsampled, fs * factor, r_peaks * factor, classes)
    marks = {
        name: np.where(values >= 0, values // factor, -1).astype(np.int64)
        for name, values in vars(fine.fiducials).items()
    }
    return replace(fine, fiducials=BeatFiducials(**marks))


def _unreadable(ecg: ECG, reasons: list[str]) -> Reading:
    return Reading(
        fs=ecg.fs,
        duration_s=ecg.duration_s,
        lead_names=ecg.lead_names,
        usable=False,
        reasons=reasons,
    )


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _mv(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def reading_json(reading: Reading) -> dict[str, Any]:
    """Plain JSON types only; sample indices on the record's own sampling rate."""
    fs = reading.fs
    m, rhythm = reading.measurements, reading.rhythm
    qtc, qtc_formula = corrected_qt(m) if m else (None, "")
    rhythm_code = rhythm.code if rhythm is not None else ""
    label_en, label_ko = LABELS.get(rhythm_code, ("", ""))
    return {
        "engine": {"name": ENGINE_NAME, "version": ENGINE_VERSION},
        "fs": fs,
        "duration_s": round(reading.duration_s, 3),
        "leads": list(reading.lead_names),
        "leads_used": list(reading.leads_used),
        "heart_rate_bpm": _ms(rhythm.heart_rate_bpm) if rhythm else None,
        "rhythm": {
            "code": rhythm_code or None,
            "label": label_en or None,
            "label_ko": label_ko or None,
            "episodes": [
                {
                    "code": e.code,
                    "start": e.start,
                    "end": e.end,
                    "start_s": round(e.start / fs, 3),
                    "end_s": round(e.end / fs, 3),
                }
                for e in (rhythm.episodes if rhythm else [])
            ],
            "pauses": [
                {"start": p.start, "end": p.end, "duration_ms": round(p.duration_ms)}
                for p in (rhythm.pauses if rhythm else [])
            ],
        },
        "hrv": {
            "sdnn_ms": _ms(rhythm.hrv.sdnn_ms) if rhythm else None,
            "rmssd_ms": _ms(rhythm.hrv.rmssd_ms) if rhythm else None,
            "pnn50_pct": _ms(rhythm.hrv.pnn50_pct) if rhythm else None,
        },
        "ectopy": {
            "pvc_count": rhythm.pvc_count if rhythm else 0,
            "pac_count": rhythm.pac_count if rhythm else 0,
            "pvc_burden_pct": round(rhythm.pvc_burden_pct, 2) if rhythm else 0.0,
            "pac_burden_pct": round(rhythm.pac_burden_pct, 2) if rhythm else 0.0,
        },
        "r_peaks": [int(x) for x in reading.r_peaks],
        "beats": [
            {"sample": int(s), "class": c}
            for s, c in zip(reading.r_peaks, reading.beat_classes, strict=False)
        ],
        "pacing_spikes": [int(x) for x in reading.pacing_spikes],
        "intervals_ms": {
            "rr": _ms(m.rr_ms) if m else None,
            "pr": _ms(m.pr_ms) if m else None,
            "qrs": _ms(m.qrs_ms) if m else None,
            "qt": _ms(m.qt_ms) if m else None,
            "qtc": _ms(qtc),
            "qtc_formula": qtc_formula if qtc is not None else None,
            "qtc_bazett": _ms(m.qtc_bazett_ms) if m else None,
            "qtc_fridericia": _ms(m.qtc_fridericia_ms) if m else None,
        },
        "axis_deg": {
            "p": _ms(m.p_axis_deg) if m else None,
            "qrs": _ms(m.qrs_axis_deg) if m else None,
            "t": _ms(m.t_axis_deg) if m else None,
        },
        "lead_measurements": {
            name: {
                "p_mv": _mv(lead.p_amp_mv),
                "q_mv": _mv(lead.q_amp_mv),
                "r_mv": _mv(lead.r_amp_mv),
                "s_mv": _mv(lead.s_amp_mv),
                "r_prime_mv": _mv(lead.r_prime_amp_mv),
                "qrs_peak_to_peak_mv": _mv(lead.qrs_peak_to_peak_mv),
                "t_mv": _mv(lead.t_amp_mv),
                "st_j_mv": _mv(lead.st_j_mv),
                "st_j60_mv": _mv(lead.st_j60_mv),
            }
            for name, lead in (m.leads.items() if m else [])
        },
        "statements": [
            {
                "code": s.code,
                "label_ko": s.label_ko,
                "label_en": s.label_en,
                "severity": s.severity,
                "evidence": s.evidence,
            }
            for s in reading.statements
        ],
        "quality": {"usable": reading.usable, "reasons": list(reading.reasons)},
    }
