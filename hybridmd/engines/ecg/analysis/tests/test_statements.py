"""Each statement rule on hand-built measurements, at and around its published threshold."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hybridmd.engines.ecg.analysis.scp import Patient
from hybridmd.engines.ecg.analysis.statements import codes, interpret
from hybridmd.engines.ecg.analysis.types import (
    HeartRateVariability,
    LeadMeasurements,
    Measurements,
    Pause,
    Rhythm,
)

LIMB = ("I", "II", "III", "aVR", "aVL", "aVF")
CHEST = ("V1", "V2", "V3", "V4", "V5", "V6")
# A healthy adult's median beats, roughly: upright R in I/II/V5/V6, rS in V1.
NORMAL_R = {"I": 0.8, "II": 1.1, "III": 0.4, "aVR": 0.1, "aVL": 0.4, "aVF": 0.7}
NORMAL_R |= {"V1": 0.3, "V2": 0.6, "V3": 0.9, "V4": 1.4, "V5": 1.3, "V6": 1.0}
NORMAL_S = {"aVR": -0.8, "V1": -1.0, "V2": -1.2, "V3": -0.8, "V4": -0.4, "V5": -0.2}


def lead(name: str, **changes: Any) -> LeadMeasurements:
    r, s = NORMAL_R[name], NORMAL_S.get(name, -0.1)
    base = LeadMeasurements(
        p_amp_mv=-0.1 if name == "aVR" else 0.1,
        q_amp_mv=-0.05 if name in ("I", "V5", "V6") else 0.0,
        q_duration_ms=20.0,
        r_amp_mv=r,
        s_amp_mv=s,
        r_prime_amp_mv=0.0,
        qrs_peak_to_peak_mv=r - s,
        qrs_area_mv_ms=(r + s) * 40,
        t_amp_mv=-0.2 if name == "aVR" else 0.25,
        st_j_mv=0.0,
        st_j60_mv=0.02,
        r_peak_time_ms=35.0,
    )
    return replace(base, **changes)


def measurements(leads: dict[str, dict[str, Any]] | None = None, **changes: Any) -> Measurements:
    per_lead = {name: lead(name, **(leads or {}).get(name, {})) for name in LIMB + CHEST}
    base = Measurements(
        rr_ms=857.0,
        pr_ms=160.0,
        qrs_ms=90.0,
        qt_ms=380.0,
        qtc_bazett_ms=410.0,
        qtc_fridericia_ms=400.0,
        p_axis_deg=50.0,
        qrs_axis_deg=45.0,
        t_axis_deg=40.0,
        leads=per_lead,
    )
    return replace(base, **changes)


def rhythm(code: str = "SR", **changes: Any) -> Rhythm:
    base = Rhythm(
        code=code,
        heart_rate_bpm=70.0,
        episodes=[],
        pauses=[],
        hrv=HeartRateVariability(40.0, 30.0, 5.0),
        pvc_count=0,
        pac_count=0,
        pvc_burden_pct=0.0,
        pac_burden_pct=0.0,
    )
    return replace(base, **changes)


def test_a_normal_ecg_is_sinus_rhythm_and_normal() -> None:
    found = interpret(measurements(), rhythm())
    assert codes(found) == ["SR", "NORM"]
    assert found[0].label_ko == "동리듬"
    assert all(s.severity == "normal" for s in found)


def test_an_abnormal_finding_removes_norm() -> None:
    assert "NORM" not in codes(interpret(measurements(pr_ms=230.0), rhythm()))
    assert "NORM" not in codes(interpret(measurements(), rhythm("AFIB")))


@pytest.mark.parametrize(("pr", "expected"), [(200.0, []), (201.0, ["1AVB"]), (320.0, ["1AVB"])])
def test_first_degree_av_block_above_200_ms(pr: float, expected: list[str]) -> None:
    found = [s for s in interpret(measurements(pr_ms=pr), rhythm()) if s.code == "1AVB"]
    assert codes(found) == expected
    if found:
        assert found[0].evidence["pr_ms"] == round(pr)
        assert found[0].severity == ("abnormal" if pr > 300 else "borderline")


def test_no_av_block_without_sinus_rhythm() -> None:
    assert "1AVB" not in codes(interpret(measurements(pr_ms=260.0), rhythm("AFLT")))


RBBB_LEADS = {
    "V1": {"r_amp_mv": 0.3, "s_amp_mv": -0.4, "r_prime_amp_mv": 0.8},
    "I": {"s_amp_mv": -0.3},
    "V6": {"s_amp_mv": -0.4},
}


def test_complete_and_incomplete_right_bundle_branch_block() -> None:
    assert "CRBBB" in codes(interpret(measurements(RBBB_LEADS, qrs_ms=140.0), rhythm()))
    found = codes(interpret(measurements(RBBB_LEADS, qrs_ms=114.0), rhythm()))
    assert "IRBBB" in found
    assert "CRBBB" not in found
    assert not {"CRBBB", "IRBBB"} & set(codes(interpret(measurements(RBBB_LEADS), rhythm())))


LBBB_LEADS = {
    "V1": {"r_amp_mv": 0.1, "s_amp_mv": -1.8},
    "I": {"q_amp_mv": 0.0, "r_amp_mv": 1.0, "s_amp_mv": 0.0, "r_peak_time_ms": 75.0},
    "V6": {"q_amp_mv": 0.0, "r_amp_mv": 1.2, "s_amp_mv": 0.0, "r_peak_time_ms": 80.0},
    "V2": {"st_j_mv": 0.3, "st_j60_mv": 0.35},
    "V3": {"st_j_mv": 0.3, "st_j60_mv": 0.35},
}


def test_left_bundle_branch_block_and_no_stemi_call_on_its_secondary_st_elevation() -> None:
    found = interpret(measurements(LBBB_LEADS, qrs_ms=150.0), rhythm())
    assert "CLBBB" in codes(found)
    assert "STE_" not in codes(found)
    lbbb = next(s for s in found if s.code == "CLBBB")
    assert lbbb.evidence["r_peak_time_left_ms"] == 80


def test_left_anterior_fascicular_block() -> None:
    leads = {
        "aVL": {"q_amp_mv": -0.1, "r_amp_mv": 0.9, "s_amp_mv": 0.0, "r_peak_time_ms": 50.0},
        "II": {"r_amp_mv": 0.2, "s_amp_mv": -0.7},
        "III": {"r_amp_mv": 0.1, "s_amp_mv": -1.0},
        "aVF": {"r_amp_mv": 0.15, "s_amp_mv": -0.8},
    }
    assert "LAFB" in codes(interpret(measurements(leads, qrs_axis_deg=-60.0), rhythm()))
    assert "LAFB" not in codes(interpret(measurements(leads, qrs_axis_deg=-30.0), rhythm()))
    leads["aVL"]["r_peak_time_ms"] = 30.0  # AHA 2009: R peak time in aVL >= 45 ms
    assert "LAFB" not in codes(interpret(measurements(leads, qrs_axis_deg=-60.0), rhythm()))


def test_lvh_by_sokolow_lyon() -> None:
    leads = {"V1": {"s_amp_mv": -1.8}, "V5": {"r_amp_mv": 1.8}}
    found = [s for s in interpret(measurements(leads), rhythm()) if s.code == "LVH"]
    assert found
    assert found[0].evidence["sokolow_lyon_mv"] == 3.6
    below = {"V1": {"s_amp_mv": -1.6}, "V5": {"r_amp_mv": 1.8}}
    assert "LVH" not in codes(interpret(measurements(below), rhythm()))


def test_cornell_threshold_depends_on_sex() -> None:
    leads = {"aVL": {"r_amp_mv": 1.0}, "V3": {"s_amp_mv": -1.3}}  # Cornell 2.3 mV
    assert "LVH" in codes(interpret(measurements(leads), rhythm(), Patient(sex="female")))
    assert "LVH" not in codes(interpret(measurements(leads), rhythm(), Patient(sex="male")))
    assert "LVH" not in codes(interpret(measurements(leads), rhythm()))


def test_low_voltage_in_the_limb_leads() -> None:
    small = {n: {"qrs_peak_to_peak_mv": 0.4} for n in LIMB}
    assert "LVOLT" in codes(interpret(measurements(small), rhythm()))
    small["II"] = {"qrs_peak_to_peak_mv": 0.6}
    assert "LVOLT" not in codes(interpret(measurements(small), rhythm()))


@pytest.mark.parametrize(
    ("qtc", "sex", "expected"),
    [
        (455.0, "male", "abnormal"),
        (455.0, "female", None),
        (460.0, "female", "abnormal"),
        (465.0, None, "abnormal"),
        (505.0, None, "critical"),
    ],
)
def test_long_qt_by_sex(qtc: float, sex: str | None, expected: str | None) -> None:
    patient = Patient(sex=sex)  # type: ignore[arg-type]
    found = [
        s
        for s in interpret(measurements(qtc_bazett_ms=qtc), rhythm(), patient)
        if s.code == "LNGQT"
    ]
    assert (found[0].severity if found else None) == expected


def test_inferior_st_elevation_meets_stemi_criteria() -> None:
    raised = {n: {"st_j_mv": 0.2, "st_j60_mv": 0.25} for n in ("II", "III", "aVF")}
    raised["aVL"] = {"st_j_mv": -0.1, "st_j60_mv": -0.12}
    raised["I"] = {"st_j_mv": -0.08, "st_j60_mv": -0.1}
    found = interpret(measurements(raised), rhythm())
    stemi = next(s for s in found if s.code == "STE_")
    assert stemi.label_en == "ST elevation meeting STEMI criteria, inferior"
    assert stemi.label_ko == "STEMI 기준을 충족하는 ST 분절 상승, 하벽"
    assert stemi.severity == "critical"
    assert stemi.evidence["leads"] == ["II", "aVF", "III"]
    assert stemi.evidence["territory"] == "inferior"
    depression = next(s for s in found if s.code == "STD_")
    assert depression.evidence["leads"] == ["aVL", "I"]
    assert "reciprocal" in str(depression.evidence["note"])


def test_st_elevation_in_non_contiguous_leads_is_not_stemi() -> None:
    raised = {n: {"st_j_mv": 0.2} for n in ("I", "III", "V1", "V4")}
    assert "STE_" not in codes(interpret(measurements(raised), rhythm()))


def test_v2_v3_threshold_by_sex_and_age() -> None:
    raised = {n: {"st_j_mv": 0.18, "st_j60_mv": 0.2} for n in ("V2", "V3")}
    young_man = Patient(sex="male", age_years=30)
    assert "STE_" not in codes(interpret(measurements(raised), rhythm(), young_man))
    assert "STE_" in codes(interpret(measurements(raised), rhythm(), Patient(sex="female")))
    assert "STE_" not in codes(interpret(measurements(raised), rhythm()))


def test_anterolateral_territory() -> None:
    raised = {n: {"st_j_mv": 0.3} for n in ("V2", "V3", "V4", "V5", "V6", "I", "aVL")}
    found = next(s for s in interpret(measurements(raised), rhythm()) if s.code == "STE_")
    assert found.evidence["territory"] == "anterolateral"
    assert found.label_en == "ST elevation meeting STEMI criteria, anterolateral"


def test_ectopy_counts_and_burden() -> None:
    found = interpret(measurements(), rhythm(pvc_count=12, pvc_burden_pct=12.0, pac_count=3))
    pvc = next(s for s in found if s.code == "PVC")
    assert pvc.severity == "abnormal"
    assert pvc.evidence == {"count": 12, "burden_pct": 12.0}
    assert "PAC" in codes(found)
    in_af = interpret(measurements(), rhythm("AFIB", pac_count=3))
    assert "PAC" not in codes(in_af)


def test_rhythm_severity_follows_rate() -> None:
    assert interpret(measurements(), rhythm("SBRAD", heart_rate_bpm=52.0))[0].severity == (
        "borderline"
    )
    assert interpret(measurements(), rhythm("SBRAD", heart_rate_bpm=35.0))[0].severity == (
        "abnormal"
    )
    assert interpret(measurements(), rhythm("SVTAC", heart_rate_bpm=190.0))[0].severity == (
        "critical"
    )


def test_undetermined_rhythm_states_no_rhythm_and_no_norm() -> None:
    found = codes(interpret(measurements(), rhythm("")))
    assert "NORM" not in found
    assert "SR" not in found


def test_missing_measurements_state_nothing_they_would_need() -> None:
    empty = replace(measurements(), leads={}, pr_ms=None, qrs_ms=None, qtc_bazett_ms=None)
    assert codes(interpret(empty, rhythm())) == ["SR"]  # not NORM: nothing was measured


def test_a_wide_qrs_without_a_bundle_branch_pattern_is_a_conduction_delay() -> None:
    found = [s for s in interpret(measurements(qrs_ms=124.0), rhythm()) if s.code == "IVCD"]
    assert found
    assert found[0].severity == "abnormal"
    assert "IVCD" not in codes(interpret(measurements(qrs_ms=104.0), rhythm()))


@pytest.mark.parametrize(
    "changes",
    [{"qrs_axis_deg": -45.0}, {"pr_ms": 110.0}, {"qrs_ms": 112.0}, {"qrs_axis_deg": 120.0}],
)
def test_norm_needs_every_measurement_in_range(changes: dict[str, float]) -> None:
    assert "NORM" not in codes(interpret(measurements(None, **changes), rhythm()))


def test_norm_needs_all_twelve_leads() -> None:
    two_leads = replace(measurements(), leads={n: lead(n) for n in ("I", "II")})
    assert codes(interpret(two_leads, rhythm())) == ["SR"]


def test_pauses_are_stated_and_block_norm() -> None:
    long = rhythm(pauses=[Pause(start=1000, end=2600, duration_ms=3200.0)])
    found = interpret(measurements(), long)
    pause = next(s for s in found if s.code == "PAUSE")
    assert pause.severity == "critical"
    assert pause.evidence["longest_ms"] == 3200
    assert "NORM" not in codes(found)
    short = rhythm(pauses=[Pause(start=1000, end=2200, duration_ms=2400.0)])
    assert next(s for s in interpret(measurements(), short) if s.code == "PAUSE").severity == (
        "abnormal"
    )


def test_a_fast_wide_unnamed_rhythm_is_a_wide_complex_tachycardia() -> None:
    fast_wide = interpret(measurements(qrs_ms=150.0), rhythm("", heart_rate_bpm=170.0))
    wct = next(s for s in fast_wide if s.code == "WCT")
    assert wct.severity == "critical"
    assert "심실빈맥" in wct.label_ko
    assert "WCT" not in codes(
        interpret(measurements(qrs_ms=90.0), rhythm("", heart_rate_bpm=170.0))
    )
    assert "WCT" not in codes(
        interpret(measurements(qrs_ms=150.0), rhythm("STACH", heart_rate_bpm=120.0))
    )


def test_upsloping_st_depression_is_not_stated() -> None:
    upsloping = {n: {"st_j_mv": -0.15, "st_j60_mv": -0.06} for n in ("V4", "V5", "V6")}
    assert "STD_" not in codes(interpret(measurements(upsloping), rhythm()))
    flat = {n: {"st_j_mv": -0.1, "st_j60_mv": -0.1} for n in ("V4", "V5", "V6")}
    assert "STD_" in codes(interpret(measurements(flat), rhythm()))


def test_depression_in_avr_is_not_elevation() -> None:
    leads = {"I": {"st_j_mv": 0.12, "st_j60_mv": 0.12}, "aVR": {"st_j_mv": -0.12}}
    assert "STE_" not in codes(interpret(measurements(leads), rhythm()))


def test_elevation_in_several_territories_suggests_pericarditis() -> None:
    raised = {n: {"st_j_mv": 0.25} for n in ("II", "III", "aVF", "V2", "V3", "V4", "V5")}
    found = next(s for s in interpret(measurements(raised), rhythm()) if s.code == "STE_")
    assert found.evidence["territory"] == "multiple"
    assert "pericarditis" in found.label_en
