"""Diagnostic statements with SCP-ECG codes (as PTB-XL uses them), each with the
measurements that justify it, a severity, and Korean and English wording.

Criteria are the published ones the statement names (AHA/ACCF/HRS 2009 recommendations
for conduction and hypertrophy, the Fourth Universal Definition of MI for ST elevation);
thresholds live beside each rule so a reviewer can check them against the source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hybridmd.engines.ecg.analysis.scp import (
    LABELS,
    Evidence,
    Patient,
    Severity,
    Statement,
    dominant_r,
    lead_of,
    make,
    negative_depth,
)
from hybridmd.engines.ecg.analysis.st_segment import PRECORDIAL, st_changes
from hybridmd.engines.ecg.analysis.types import Measurements, Rhythm

LIMB = ("I", "II", "III", "aVR", "aVL", "aVF")

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
ADULT_AGE_YEARS = 16
VOLTAGE_CODES = frozenset({"LVH", "LVOLT", "STD_", "STE_"})
STANDARD_LEADS = frozenset((*LIMB, *PRECORDIAL))
FAST_RATE_BPM = 90.0  # above it Bazett overcorrects: QTc by Fridericia


def interpret(
    measurements: Measurements,
    rhythm: Rhythm,
    patient: Patient | None = None,
    *,
    true_voltage: bool = True,
) -> list[Statement]:
    """All statements that apply, rhythm first; NORM only for a 12-lead sinus rhythm whose
    every measurement is in its normal range and that nothing else qualifies.
    ``true_voltage=False`` (amplitudes normalised by an export) withholds every statement
    that rests on millivolts."""
    patient = patient or Patient()
    found: list[Statement] = []
    if rhythm.code:
        found.append(_rhythm_statement(rhythm))
    for rule in RULES:
        found.extend(rule(measurements, rhythm, patient))
    if not true_voltage:
        found = [s for s in found if s.code not in VOLTAGE_CODES]
    normal = all(s.severity == "normal" for s in found)
    if rhythm.code in {"SR", "SARRH"} and normal and _normal_measurements(measurements, rhythm):
        found.insert(1, make("NORM", "normal"))
    return found


def _normal_measurements(m: Measurements, rhythm: Rhythm) -> bool:
    """All 12 leads read, PR 120-200 ms, QRS < 110 ms, axis -30..+90 degrees, no pause."""
    if not set(m.leads) >= STANDARD_LEADS or rhythm.pauses:
        return False
    qtc, _ = corrected_qt(m)
    if m.pr_ms is None or m.qrs_ms is None or qtc is None or m.qrs_axis_deg is None:
        return False
    return 120 <= m.pr_ms <= 200 and m.qrs_ms < 110 and -30 <= m.qrs_axis_deg <= 90


def corrected_qt(m: Measurements) -> tuple[float | None, str]:
    """QTc by Bazett, or by Fridericia above 90/min where Bazett overcorrects."""
    if m.rr_ms is not None and m.rr_ms < 60_000 / FAST_RATE_BPM:
        return m.qtc_fridericia_ms, "Fridericia"
    return m.qtc_bazett_ms, "Bazett"


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


def first_degree_av_block(m: Measurements, rhythm: Rhythm, _: Patient) -> list[Statement]:
    if rhythm.code in SINUS and m.pr_ms is not None and m.pr_ms > 200:
        severity: Severity = "abnormal" if m.pr_ms > 300 else "borderline"
        return [make("1AVB", severity, pr_ms=round(m.pr_ms), threshold_ms=200)]
    return []


def bundle_branch_blocks(m: Measurements, rhythm: Rhythm, _: Patient) -> list[Statement]:
    """AHA/ACCF/HRS 2009: QRS >= 120 ms for complete blocks, 110-119 ms for incomplete RBBB
    (rsR' in V1, or a dominant R there with an R peak time > 50 ms; a terminal S in I and
    V6); QRS > 110 ms without either pattern is a nonspecific conduction delay (IVCD)."""
    if m.qrs_ms is None or rhythm.code == "PACE":
        return []
    v1, v6, lead_i = lead_of(m, "V1"), lead_of(m, "V6"), lead_of(m, "I")
    if v1 is None or (v6 is None and lead_i is None):
        return []
    left_leads = [x for x in (lead_i, v6, lead_of(m, "V5"), lead_of(m, "aVL")) if x is not None]
    late_r = v1.r_peak_time_ms is not None and v1.r_peak_time_ms > 50
    right_pattern = v1.r_prime_amp_mv > 0.05 or (dominant_r(v1) and late_r)
    wide_left_s = all(x.s_amp_mv < -0.1 for x in (lead_i, v6) if x is not None)
    left_pattern = (
        not dominant_r(v1)
        and all(dominant_r(x) for x in left_leads[:2])
        and all(x.q_amp_mv > -0.05 for x in left_leads[:2])
    )
    evidence: Evidence = {
        "qrs_ms": round(m.qrs_ms),
        "v1_r_mv": round(v1.r_amp_mv, 2),
        "v1_negative_mv": round(-negative_depth(v1), 2),
        "v1_r_prime_mv": round(v1.r_prime_amp_mv, 2),
    }
    severity: Severity = "abnormal"
    if m.qrs_ms >= 120 and left_pattern and not right_pattern:
        code = "CLBBB"
        peak_times = [x.r_peak_time_ms for x in left_leads if x.r_peak_time_ms is not None]
        if peak_times:
            evidence["r_peak_time_left_ms"] = round(max(peak_times))
    elif right_pattern and wide_left_s and m.qrs_ms >= 110:
        code = "CRBBB" if m.qrs_ms >= 120 else "IRBBB"
        severity = "abnormal" if m.qrs_ms >= 120 else "borderline"
    elif m.qrs_ms > 110:
        code = "IVCD"
        severity = "abnormal" if m.qrs_ms >= 120 else "borderline"
    else:
        return []
    return [make(code, severity, **evidence)]


def left_anterior_fascicular_block(m: Measurements, _: Rhythm, __: Patient) -> list[Statement]:
    """Axis -45..-90, qR in aVL with an R peak time >= 45 ms, rS in II, III and aVF,
    QRS < 120 ms."""
    axis, avl = m.qrs_axis_deg, lead_of(m, "aVL")
    inferior = [x for x in (lead_of(m, n) for n in ("II", "III", "aVF")) if x is not None]
    if axis is None or avl is None or len(inferior) < 3 or m.qrs_ms is None:
        return []
    if not (-90 <= axis <= -45 and m.qrs_ms < 120):
        return []
    late_r = avl.r_peak_time_ms is not None and avl.r_peak_time_ms >= 45
    qr_avl = avl.q_amp_mv < 0 and dominant_r(avl) and late_r
    rs_inferior = all(not dominant_r(x) for x in inferior)
    if qr_avl and rs_inferior:
        return [make("LAFB", "borderline", qrs_axis_deg=round(axis), qrs_ms=round(m.qrs_ms))]
    return []


def left_ventricular_hypertrophy(m: Measurements, _: Rhythm, patient: Patient) -> list[Statement]:
    """Sokolow-Lyon SV1 + max(RV5, RV6) >= 3.5 mV; Cornell RaVL + SV3 > 2.8 mV (men),
    > 2.0 mV (women). Not called in bundle branch block, where voltage is unreliable, nor
    under 16 years, where the adult voltage limits do not apply."""
    if m.qrs_ms is None or m.qrs_ms >= 120:
        return []
    if patient.age_years is not None and patient.age_years < ADULT_AGE_YEARS:
        return []
    v1, v3, v5, v6, avl = (lead_of(m, n) for n in ("V1", "V3", "V5", "V6", "aVL"))
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
    limb = [x.qrs_peak_to_peak_mv for n in LIMB if (x := lead_of(m, n)) is not None]
    chest = [x.qrs_peak_to_peak_mv for n in PRECORDIAL if (x := lead_of(m, n)) is not None]
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
    """QTc >= 450 ms in men, >= 460 ms in women or when sex is unknown; >= 500 ms is
    critical (AHA/ACCF/HRS 2009). The statement prefers a linear correction; Bazett's is used
    as most electrocardiographs report it, and Fridericia's above 90/min where Bazett
    overcorrects. Not called with QRS >= 120 ms, where QT includes the wide QRS, nor in AF
    or flutter, where the RR varies or the F waves hide the end of the T wave."""
    qtc, formula = corrected_qt(m)
    if qtc is None or m.qrs_ms is None or m.qrs_ms >= 120 or rhythm.code in {"AFIB", "AFLT"}:
        return []
    limit = 450 if patient.sex == "male" else 460
    if qtc < limit:
        return []
    severity: Severity = "critical" if qtc >= 500 else "abnormal"
    evidence: Evidence = {"qtc_ms": round(qtc), "formula": formula, "threshold_ms": limit}
    if m.qtc_bazett_ms is not None:
        evidence["qtc_bazett_ms"] = round(m.qtc_bazett_ms)
    if m.qtc_fridericia_ms is not None:
        evidence["qtc_fridericia_ms"] = round(m.qtc_fridericia_ms)
    if m.qt_ms is not None:
        evidence["qt_ms"] = round(m.qt_ms)
    return [make("LNGQT", severity, **evidence)]


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


def pauses(_: Measurements, rhythm: Rhythm, __: Patient) -> list[Statement]:
    """The longest RR over 2 s; 3 s or more is critical (the usual pacing-evaluation cut)."""
    if not rhythm.pauses:
        return []
    longest = max(rhythm.pauses, key=lambda p: p.duration_ms)
    severity: Severity = "critical" if longest.duration_ms >= 3000 else "abnormal"
    return [
        make(
            "PAUSE",
            severity,
            count=len(rhythm.pauses),
            longest_ms=round(longest.duration_ms),
            longest_at_sample=longest.start,
        )
    ]


def wide_complex_tachycardia(m: Measurements, rhythm: Rhythm, _: Patient) -> list[Statement]:
    """A fast rhythm with QRS >= 120 ms that is not sinus, AF, flutter or paced is treated as
    ventricular tachycardia until proven otherwise (treating it as SVT can kill)."""
    rate = rhythm.heart_rate_bpm
    if rhythm.code or m.qrs_ms is None or m.qrs_ms < 120 or rate is None or rate <= 100:
        return []
    return [make("WCT", "critical", heart_rate_bpm=round(rate), qrs_ms=round(m.qrs_ms))]


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
    pauses,
    wide_complex_tachycardia,
)


def codes(statements: Iterable[Statement]) -> list[str]:
    return [s.code for s in statements]
