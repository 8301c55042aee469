"""ST segment statements: elevation meeting STEMI criteria in contiguous leads, with the
territory (PTB-XL's STE_ code, the territory in the wording and the evidence), and ST
depression (Fourth Universal Definition of MI)."""

from __future__ import annotations

from hybridmd.engines.ecg.analysis.scp import Evidence, Patient, Statement, make
from hybridmd.engines.ecg.analysis.types import Measurements, Rhythm

# Contiguous leads: the limb leads in Cabrera order, the precordial leads in order.
CABRERA = ("aVL", "I", "-aVR", "II", "aVF", "III")
PRECORDIAL = ("V1", "V2", "V3", "V4", "V5", "V6")
INFERIOR = frozenset({"II", "III", "aVF"})
LATERAL = frozenset({"I", "aVL", "V5", "V6"})
ANTEROSEPTAL = frozenset({"V1", "V2", "V3", "V4"})
TERRITORIES = {
    "anteroseptal": ("anteroseptal", "전중격"),
    "anterolateral": ("anterolateral", "전측벽"),
    "lateral": ("lateral", "측벽"),
    "inferior": ("inferior", "하벽"),
    "inferolateral": ("inferolateral", "하측벽"),
    # Elevation across territories that no single artery supplies: pericarditis looks so.
    "multiple": ("several territories (consider pericarditis)", "여러 영역 (심낭염 감별 필요)"),
}


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
    """New ST elevation at J in >= 2 contiguous leads (STEMI criteria, with the territory),
    and horizontal or downsloping ST depression >= 0.05 mV at J and J+60 ms in >= 2
    contiguous leads. -aVR only links I and II in the Cabrera sequence: depression in aVR is
    not elevation anywhere, so it never makes a run by itself."""
    if rhythm.code == "PACE" or m.qrs_ms is None or m.qrs_ms >= 120:
        return []  # secondary ST changes: STEMI criteria do not apply as such (see Sgarbossa)
    st_j: dict[str, float] = {}
    st_60: dict[str, float] = {}
    for name, lead in m.leads.items():
        if lead.st_j_mv is not None and lead.st_j60_mv is not None:
            st_j[name], st_60[name] = lead.st_j_mv, lead.st_j60_mv
    elevated = {n: v >= _elevation_limit_mv(n, patient) for n, v in st_j.items()}
    statements: list[Statement] = []
    runs = _contiguous_runs(elevated)
    if runs:
        leads = sorted({n for run in runs for n in run}, key=_lead_order)
        territory = _territory(set(leads))
        label_en, label_ko = TERRITORIES[territory]
        statements.append(
            Statement(
                "STE_",
                f"ST elevation meeting STEMI criteria, {label_en}",
                f"STEMI 기준을 충족하는 ST 분절 상승, {label_ko}",
                "critical",
                {
                    "leads": leads,
                    "territory": territory,
                    "st_j_mv": ",".join(f"{n} {st_j[n]:+.2f}" for n in leads),
                },
            )
        )
    # Upsloping depression (J+60 well above J) is a normal response to a fast rate.
    depressed = {
        n: st_j[n] <= -0.05 and st_60[n] <= -0.05 and st_60[n] <= st_j[n] + 0.02 for n in st_j
    }
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


def _territory(leads: set[str]) -> str:
    inferior = bool(leads & INFERIOR)
    lateral = bool(leads & LATERAL)
    anterior = bool(leads & ANTEROSEPTAL)
    if anterior and inferior:
        return "multiple"
    if anterior and lateral:
        return "anterolateral"
    if anterior:
        return "anteroseptal"
    if inferior and lateral:
        return "inferolateral"
    if inferior:
        return "inferior"
    return "lateral"
