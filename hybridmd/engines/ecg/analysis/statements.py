"""Diagnostic statements with SCP-ECG codes (as PTB-XL uses them), each with the
measurements that justify it, a severity, and Korean and English wording.

Criteria are the published ones the statement names (AHA/ACCF/HRS 2009 recommendations
for conduction and hypertrophy, the Fourth Universal Definition of MI for ST elevation);
thresholds live beside each rule so a reviewer can check them against the source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from hybridmd.engines.ecg.analysis.types import LeadMeasurements, Measurements, Rhythm

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
    "SVTAC": ("Supraventricular tachycardia", "심실상성 빈맥"),
    "PACE": ("Paced rhythm", "인공심박동기 리듬"),
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
    "PAC": ("Supraventricular premature complexes", "심방조기수축"),
    # ST elevation meeting STEMI criteria, by territory (PTB-XL's injury codes).
    "INJAS": ("ST elevation meeting STEMI criteria, anteroseptal", "STEMI 기준 ST 상승, 전중격"),
    "INJAL": (
        "ST elevation meeting STEMI criteria, anterolateral",
        "STEMI 기준 ST 상승, 전측벽",
    ),
    "INJLA": ("ST elevation meeting STEMI criteria, lateral", "STEMI 기준 ST 상승, 측벽"),
    "INJIN": ("ST elevation meeting STEMI criteria, inferior", "STEMI 기준 ST 상승, 하벽"),
    "INJIL": (
        "ST elevation meeting STEMI criteria, inferolateral",
        "STEMI 기준 ST 상승, 하측벽",
    ),
}

RHYTHM_SEVERITY: dict[str, Severity] = {
    "SR": "normal",
    "SARRH": "normal",
    "SBRAD": "borderline",
    "STACH": "borderline",
    "AFIB": "abnormal",
    "AFLT": "abnormal",
    "SVTAC": "critical",
    "PACE": "borderline",
}
SINUS = frozenset({"SR", "SBRAD", "STACH", "SARRH"})
VOLTAGE_CODES = frozenset({"LVH", "LVOLT", "STD_", "INJAS", "INJAL", "INJLA", "INJIN", "INJIL"})

# Contiguous leads: the limb leads in Cabrera order, the precordial leads in order.
CABRERA = ("aVL", "I", "-aVR", "II", "aVF", "III")
PRECORDIAL = ("V1", "V2", "V3", "V4", "V5", "V6")
LIMB = ("I", "II", "III", "aVR", "aVL", "aVF")
INFERIOR = frozenset({"II", "III", "aVF"})
LATERAL = frozenset({"I", "aVL", "V5", "V6"})
ANTEROSEPTAL = frozenset({"V1", "V2", "V3", "V4"})
TERRITORY_NAMES = {"anteroseptal": "V1–V4", "lateral": "I, aVL, V5, V6", "inferior": "II, III, aVF"}


def make(code: str, severity: Severity, **evidence: float | int | str | list[str]) -> Statement:
    label_en, label_ko = LABELS[code]
    return Statement(code, label_en, label_ko, severity, dict(evidence))


def interpret(
    measurements: Measurements,
    rhythm: Rhythm,
    patient: Patient | None = None,
    *,
    true_voltage: bool = True,
) -> list[Statement]:
    """All statements that apply, rhythm first; NORM only in sinus rhythm with the intervals
    measured and nothing else abnormal. ``true_voltage=False`` (amplitudes normalised by an
    export) withholds every statement that rests on millivolts."""
    patient = patient or Patient()
    found: list[Statement] = []
    if rhythm.code:
        found.append(_rhythm_statement(rhythm))
    for rule in RULES:
        found.extend(rule(measurements, rhythm, patient))
    if not true_voltage:
        found = [s for s in found if s.code not in VOLTAGE_CODES]
    measured = None not in (measurements.pr_ms, measurements.qrs_ms, measurements.qtc_bazett_ms)
    normal = all(s.severity == "normal" for s in found)
    if rhythm.code in {"SR", "SARRH"} and measured and measurements.leads and normal:
        found.insert(1, make("NORM", "normal"))
    return found


def _rhythm_statement(rhythm: Rhythm) -> Statement:
    evidence: Evidence = {
        k: (round(v, 3) if isinstance(v, float) else v) for k, v in rhythm.evidence.items()
    }
    if rhythm.heart_rate_bpm is not None:
        evidence["heart_rate_bpm"] = round(rhythm.heart_rate_bpm)
    severity = RHYTHM_SEVERITY.get(rhythm.code, "abnormal")
    rate = rhythm.heart_rate_bpm or 0.0
    if (rhythm.code == "SBRAD" and rate < 40) or (rhythm.code == "STACH" and rate > 130):
        severity = "abnormal"
    label_en, label_ko = LABELS.get(rhythm.code, (rhythm.code, rhythm.code))
    return Statement(rhythm.code, label_en, label_ko, severity, evidence)


def _lead(m: Measurements, name: str) -> LeadMeasurements | None:
    return m.leads.get(name)


def negative_depth(lead: LeadMeasurements) -> float:
    """How far the QRS goes below the baseline, whatever the wave is called (Q, S or QS)."""
    return max(lead.qrs_peak_to_peak_mv - lead.r_amp_mv, -lead.q_amp_mv, -lead.s_amp_mv, 0.0)


def _dominant_r(lead: LeadMeasurements) -> bool:
    return lead.r_amp_mv > negative_depth(lead)


def first_degree_av_block(m: Measurements, rhythm: Rhythm, _: Patient) -> list[Statement]:
    if rhythm.code in SINUS and m.pr_ms is not None and m.pr_ms > 200:
        severity: Severity = "abnormal" if m.pr_ms > 300 else "borderline"
        return [make("1AVB", severity, pr_ms=round(m.pr_ms), threshold_ms=200)]
    return []


def bundle_branch_blocks(m: Measurements, rhythm: Rhythm, _: Patient) -> list[Statement]:
    """AHA/ACCF/HRS 2009: QRS >= 120 ms for complete blocks, 110-119 ms for incomplete RBBB."""
    if m.qrs_ms is None or rhythm.code == "PACE":
        return []
    v1, v6, lead_i = _lead(m, "V1"), _lead(m, "V6"), _lead(m, "I")
    if v1 is None or (v6 is None and lead_i is None):
        return []
    left_leads = [x for x in (lead_i, v6, _lead(m, "V5"), _lead(m, "aVL")) if x is not None]
    right_pattern = v1.r_prime_amp_mv > 0.05 or _dominant_r(v1)
    wide_left_s = any(x.s_amp_mv < -0.1 for x in (lead_i, v6) if x is not None)
    left_pattern = (
        not _dominant_r(v1)
        and all(_dominant_r(x) for x in left_leads[:2])
        and all(x.q_amp_mv > -0.05 for x in left_leads[:2])
    )
    evidence: Evidence = {
        "qrs_ms": round(m.qrs_ms),
        "v1_r_mv": round(v1.r_amp_mv, 2),
        "v1_negative_mv": round(-negative_depth(v1), 2),
        "v1_r_prime_mv": round(v1.r_prime_amp_mv, 2),
    }
    if m.qrs_ms >= 120 and left_pattern and not right_pattern:
        peak_times = [x.r_peak_time_ms for x in left_leads if x.r_peak_time_ms is not None]
        if peak_times:
            evidence["r_peak_time_left_ms"] = round(max(peak_times))
        return [make("CLBBB", "abnormal", **evidence)]
    if right_pattern and wide_left_s:
        if m.qrs_ms >= 120:
            return [make("CRBBB", "abnormal", **evidence)]
        if m.qrs_ms >= 110:
            return [make("IRBBB", "borderline", **evidence)]
    return []


def left_anterior_fascicular_block(m: Measurements, _: Rhythm, __: Patient) -> list[Statement]:
    """Axis -45..-90, qR in aVL, rS in II, III and aVF, QRS < 120 ms."""
    axis, avl = m.qrs_axis_deg, _lead(m, "aVL")
    inferior = [x for x in (_lead(m, n) for n in ("II", "III", "aVF")) if x is not None]
    if axis is None or avl is None or len(inferior) < 3 or m.qrs_ms is None:
        return []
    if not (-90 <= axis <= -45 and m.qrs_ms < 120):
        return []
    qr_avl = avl.q_amp_mv < 0 and _dominant_r(avl)
    rs_inferior = all(not _dominant_r(x) for x in inferior)
    if qr_avl and rs_inferior:
        return [make("LAFB", "borderline", qrs_axis_deg=round(axis), qrs_ms=round(m.qrs_ms))]
    return []


def left_ventricular_hypertrophy(m: Measurements, _: Rhythm, patient: Patient) -> list[Statement]:
    """Sokolow-Lyon SV1 + max(RV5, RV6) >= 3.5 mV; Cornell RaVL + SV3 > 2.8 mV (men),
    > 2.0 mV (women). Not called in bundle branch block, where voltage is unreliable."""
    if m.qrs_ms is None or m.qrs_ms >= 120:
        return []
    v1, v3, v5, v6, avl = (_lead(m, n) for n in ("V1", "V3", "V5", "V6", "aVL"))
    evidence: Evidence = {}
    met: list[str] = []
    if v1 is not None and (v5 is not None or v6 is not None):
        r_left = max(x.r_amp_mv for x in (v5, v6) if x is not None)
        sokolow = negative_depth(v1) + r_left
        evidence["sokolow_lyon_mv"] = round(sokolow, 2)
        if sokolow >= 3.5:
            met.append("Sokolow-Lyon ≥ 3.5 mV")
    if avl is not None and v3 is not None:
        cornell = avl.r_amp_mv + negative_depth(v3)
        limit = 2.0 if patient.sex == "female" else 2.8
        evidence["cornell_mv"] = round(cornell, 2)
        evidence["cornell_threshold_mv"] = limit
        if cornell > limit:
            met.append(f"Cornell > {limit} mV")
    if not met:
        return []
    if patient.age_years is not None and patient.age_years < 35:
        evidence["note"] = "voltage criteria are less specific under 35 years"
    return [make("LVH", "abnormal", criteria=met, **evidence)]


def low_voltage(m: Measurements, _: Rhythm, __: Patient) -> list[Statement]:
    """Every limb lead's QRS < 0.5 mV peak to peak, or every precordial lead's < 1.0 mV."""
    limb = [x.qrs_peak_to_peak_mv for n in LIMB if (x := _lead(m, n)) is not None]
    chest = [x.qrs_peak_to_peak_mv for n in PRECORDIAL if (x := _lead(m, n)) is not None]
    where: list[str] = []
    if len(limb) == len(LIMB) and max(limb) < 0.5:
        where.append("limb leads < 0.5 mV")
    if len(chest) == len(PRECORDIAL) and max(chest) < 1.0:
        where.append("precordial leads < 1.0 mV")
    if not where:
        return []
    evidence: Evidence = {"criteria": where}
    if limb:
        evidence["max_limb_qrs_mv"] = round(max(limb), 2)
    if chest:
        evidence["max_precordial_qrs_mv"] = round(max(chest), 2)
    return [make("LVOLT", "borderline", **evidence)]


def long_qt(m: Measurements, rhythm: Rhythm, patient: Patient) -> list[Statement]:
    """QTc (Bazett) > 450 ms in men, > 460 ms in women or when sex is unknown; >= 500 ms
    is critical. Not called with QRS >= 120 ms, where QT includes the wide QRS, nor in AF or
    flutter, where the RR varies or the F waves hide the T wave end."""
    qtc = m.qtc_bazett_ms
    if qtc is None or m.qrs_ms is None or m.qrs_ms >= 120 or rhythm.code in {"AFIB", "AFLT"}:
        return []
    limit = 450 if patient.sex == "male" else 460
    if qtc <= limit:
        return []
    severity: Severity = "critical" if qtc >= 500 else "abnormal"
    evidence: Evidence = {"qtc_bazett_ms": round(qtc), "threshold_ms": limit}
    if m.qtc_fridericia_ms is not None:
        evidence["qtc_fridericia_ms"] = round(m.qtc_fridericia_ms)
    if m.qt_ms is not None:
        evidence["qt_ms"] = round(m.qt_ms)
    return [make("LNGQT", severity, **evidence)]


def _elevation_limit_mv(lead: str, patient: Patient) -> float:
    """Fourth Universal Definition of MI: 1 mm in all leads but V2-V3, where it is 2 mm in
    men >= 40, 2.5 mm in men < 40 and 1.5 mm in women (2 mm used when sex is unknown)."""
    if lead not in ("V2", "V3"):
        return 0.1
    if patient.sex == "female":
        return 0.15
    if patient.sex == "male" and patient.age_years is not None and patient.age_years < 40:
        return 0.25
    return 0.2


def _contiguous_runs(flags: dict[str, bool]) -> list[list[str]]:
    """Runs of two or more neighbouring leads (Cabrera limb order, V1-V6) that are flagged."""
    runs: list[list[str]] = []
    for sequence in (CABRERA, PRECORDIAL):
        run: list[str] = []
        for name in (*sequence, ""):
            if name and flags.get(name, False):
                run.append(name)
                continue
            if len(run) >= 2:
                runs.append(run)
            run = []
    return runs


def st_changes(m: Measurements, rhythm: Rhythm, patient: Patient) -> list[Statement]:
    """ST elevation at J in >= 2 contiguous leads (STEMI criteria, with the territory), or
    ST depression >= 0.05 mV at J and J+60 ms in >= 2 contiguous leads."""
    if rhythm.code == "PACE" or m.qrs_ms is None or m.qrs_ms >= 120:
        return []  # secondary ST changes: STEMI criteria do not apply as such (see Sgarbossa)
    st_j: dict[str, float] = {}
    st_60: dict[str, float] = {}
    for name, lead in m.leads.items():
        if lead.st_j_mv is not None and lead.st_j60_mv is not None:
            st_j[name], st_60[name] = lead.st_j_mv, lead.st_j60_mv
    if "aVR" in st_j:  # -aVR sits between I and II in the Cabrera sequence
        st_j["-aVR"], st_60["-aVR"] = -st_j["aVR"], -st_60["aVR"]
    elevated = {n: v >= _elevation_limit_mv(n, patient) for n, v in st_j.items()}
    statements: list[Statement] = []
    runs = _contiguous_runs(elevated)
    if runs:
        leads = sorted({n for run in runs for n in run}, key=_lead_order)
        code, territory = _territory(set(leads))
        statements.append(
            make(
                code,
                "critical",
                leads=leads,
                territory=territory,
                st_j_mv=",".join(f"{n} {st_j[n]:+.2f}" for n in leads),
            )
        )
    depressed = {n: st_j[n] <= -0.05 and st_60[n] <= -0.05 for n in st_j}
    runs = _contiguous_runs(depressed)
    if runs:
        leads = sorted({n for run in runs for n in run}, key=_lead_order)
        evidence: Evidence = {
            "leads": leads,
            "st_j60_mv": ",".join(f"{n} {st_60[n]:+.2f}" for n in leads),
        }
        if statements:
            evidence["note"] = "may be reciprocal to the ST elevation"
        statements.append(make("STD_", "abnormal", **evidence))
    return statements


def _lead_order(name: str) -> int:
    order = (*CABRERA, *PRECORDIAL)
    return order.index(name) if name in order else len(order)


def _territory(leads: set[str]) -> tuple[str, str]:
    inferior = bool(leads & INFERIOR)
    lateral = bool(leads & LATERAL)
    anterior = bool(leads & ANTEROSEPTAL)
    if anterior and lateral:
        return "INJAL", "anterolateral"
    if anterior:
        return "INJAS", "anteroseptal"
    if inferior and lateral:
        return "INJIL", "inferolateral"
    if inferior:
        return "INJIN", "inferior"
    return "INJLA", "lateral"


def ectopy(_: Measurements, rhythm: Rhythm, __: Patient) -> list[Statement]:
    statements: list[Statement] = []
    if rhythm.pvc_count:
        severity: Severity = "abnormal" if rhythm.pvc_burden_pct >= 10 else "borderline"
        statements.append(
            make(
                "PVC",
                severity,
                count=rhythm.pvc_count,
                burden_pct=round(rhythm.pvc_burden_pct, 1),
            )
        )
    if rhythm.pac_count and rhythm.code not in {"AFIB", "AFLT"}:
        statements.append(
            make(
                "PAC",
                "borderline",
                count=rhythm.pac_count,
                burden_pct=round(rhythm.pac_burden_pct, 1),
            )
        )
    return statements


Rule = Callable[[Measurements, Rhythm, Patient], list[Statement]]
RULES: tuple[Rule, ...] = (
    first_degree_av_block,
    bundle_branch_blocks,
    left_anterior_fascicular_block,
    left_ventricular_hypertrophy,
    low_voltage,
    long_qt,
    st_changes,
    ectopy,
)


def codes(statements: Iterable[Statement]) -> list[str]:
    return [s.code for s in statements]
