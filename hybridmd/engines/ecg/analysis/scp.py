"""The statement vocabulary: SCP-ECG codes as PTB-XL uses them (plus PAUSE and WCT, which
PTB-XL has no code for), with Korean and English wording, the severity scale, what a
statement carries, and the lead helpers every rule shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hybridmd.engines.ecg.analysis.types import LeadMeasurements, Measurements

Severity = Literal["normal", "borderline", "abnormal", "critical"]
Sex = Literal["male", "female"]
Evidence = dict[str, float | int | str | list[str]]


@dataclass(frozen=True)
class Statement:
    code: str
    label_en: str
    label_ko: str
    severity: Severity
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True)
class Patient:
    """What changes the thresholds; both optional (the file rarely says)."""

    sex: Sex | None = None
    age_years: int | None = None


LABELS: dict[str, tuple[str, str]] = {
    "NORM": ("Normal ECG", "정상 심전도"),
    "SR": ("Sinus rhythm", "동리듬"),
    "SBRAD": ("Sinus bradycardia", "동서맥"),
    "STACH": ("Sinus tachycardia", "동빈맥"),
    "SARRH": ("Sinus arrhythmia", "동부정맥"),
    "AFIB": ("Atrial fibrillation", "심방세동"),
    "AFLT": ("Atrial flutter", "심방조동"),
    "SVTAC": ("Supraventricular tachycardia", "상심실성 빈맥"),
    "PACE": ("Paced rhythm", "심박조율 리듬"),
    "1AVB": ("First-degree AV block", "1도 방실차단"),
    "CLBBB": ("Complete left bundle branch block", "완전 좌각차단"),
    "CRBBB": ("Complete right bundle branch block", "완전 우각차단"),
    "IRBBB": ("Incomplete right bundle branch block", "불완전 우각차단"),
    "LAFB": ("Left anterior fascicular block", "좌전섬유속차단"),
    "LVH": ("Left ventricular hypertrophy by voltage criteria", "좌심실비대 (전압 기준)"),
    "LVOLT": ("Low QRS voltage", "QRS 저전압"),
    "LNGQT": ("Prolonged QT interval", "QT 간격 연장"),
    "STD_": ("ST depression", "ST 분절 하강"),
    "PVC": ("Ventricular premature complexes", "심실조기수축"),
    "PAC": ("Atrial premature complexes", "심방조기수축"),
    # The wording names the territory: see st_segment.TERRITORIES.
    "STE_": ("ST elevation meeting STEMI criteria", "STEMI 기준을 충족하는 ST 분절 상승"),
    "IVCD": ("Nonspecific intraventricular conduction delay", "비특이적 심실내 전도지연"),
    "PAUSE": ("Pause", "휴지기 (pause)"),
    "WCT": (
        "Wide-complex tachycardia: ventricular tachycardia not excluded",
        "넓은 QRS 빈맥: 심실빈맥 배제 불가",
    ),
}


def make(code: str, severity: Severity, **evidence: float | int | str | list[str]) -> Statement:
    label_en, label_ko = LABELS[code]
    return Statement(code, label_en, label_ko, severity, dict(evidence))


def lead_of(m: Measurements, name: str) -> LeadMeasurements | None:
    return m.leads.get(name)


def negative_depth(lead: LeadMeasurements) -> float:
    """How far the QRS goes below the baseline, whatever the wave is called (Q, S or QS)."""
    return max(lead.qrs_peak_to_peak_mv - lead.r_amp_mv, -lead.q_amp_mv, -lead.s_amp_mv, 0.0)


def dominant_r(lead: LeadMeasurements) -> bool:
    return lead.r_amp_mv > negative_depth(lead)
