"""The built-in ECG engine behind the connector contract: a real record, refusals, meta."""

from __future__ import annotations

import json

import pytest

from hybridmd.engines.ai.builtin_ecg import (
    BuiltinECGSolution,
    finding_of,
    narrative,
    patient_of,
    solution,
)
from hybridmd.engines.ai.results import AIResult, SolutionInput
from hybridmd.engines.ecg import write_wfdb
from hybridmd.engines.ecg.analysis import interpret
from hybridmd.engines.ecg.analysis.scp import LABELS, Patient, make
from hybridmd.engines.ecg.tests.samples import HAVE_DATA, MISSING_REASON, files_of
from hybridmd.engines.ecg.tests.synthetic import twelve_lead

needs_data = pytest.mark.skipif(not HAVE_DATA, reason=MISSING_REASON)


@pytest.fixture(scope="module")
def ludb_1() -> AIResult:
    files = files_of("ludb_12lead_delineation", "1")
    return solution.run(SolutionInput("ecg", files, {"sex": "female", "age_years": "51"}))


def test_identity_and_vocabulary() -> None:
    assert solution.name == "hybridmd-ecg"
    assert solution.version == interpret.ENGINE_VERSION
    assert solution.vocabulary() == LABELS
    assert solution.vocabulary()["SBRAD"] == ("Sinus bradycardia", "동서맥")


def test_accepts_ecg_not_images() -> None:
    assert solution.accepts(SolutionInput("ecg", {"a.hea": b""}, {}))
    assert not solution.accepts(SolutionInput("image", {"a.png": b""}, {}))


def test_an_image_is_answered_not_raised() -> None:
    answer = solution.run(SolutionInput("image", {"chest.png": b"\x89PNG"}, {}))
    assert answer.status == "cannot_read"
    assert answer.reasons == ("hybridmd-ecg reads ECGs only, not image items.",)


@needs_data
def test_ludb_record_1_reads_sinus_bradycardia(ludb_1: AIResult) -> None:
    assert ludb_1.status == "done"
    assert (ludb_1.solution, ludb_1.version) == ("hybridmd-ecg", interpret.ENGINE_VERSION)
    rhythm = ludb_1.findings[0]
    assert (rhythm.code, rhythm.label_ko, rhythm.label_en) == (
        "SBRAD",
        "동서맥",
        "Sinus bradycardia",
    )
    assert rhythm.severity == "borderline"
    assert rhythm.score is None
    assert rhythm.evidence["heart_rate_bpm"] == 45
    assert ludb_1.narrative_en.startswith("Sinus bradycardia at 45/min. PR ")
    assert ludb_1.narrative_ko.startswith("동서맥, 45회/분. PR ")
    assert "QRS " in ludb_1.narrative_en
    assert "QTc " in ludb_1.narrative_ko


@needs_data
def test_ludb_output_is_the_engine_reading_and_survives_json(ludb_1: AIResult) -> None:
    assert ludb_1.output["engine"] == {"name": "hybridmd-ecg", "version": "1.0.0"}
    assert ludb_1.output["rhythm"]["code"] == "SBRAD"
    assert [f.code for f in ludb_1.findings] == [s["code"] for s in ludb_1.output["statements"]]
    # The export normalises every lead to 1 mV: the engine says so, and it is kept.
    assert any("normalised" in reason for reason in ludb_1.reasons)
    text = json.dumps(ludb_1.to_json(), ensure_ascii=False)
    again = AIResult.from_json(json.loads(text), vocabulary=solution.vocabulary())
    assert again == ludb_1


def test_garbage_bytes_cannot_be_read() -> None:
    answer = solution.run(SolutionInput("ecg", {"upload.bin": b"\x00\xffnot an ecg" * 50}, {}))
    assert answer.status == "cannot_read"
    assert answer.findings == ()
    assert answer.reasons
    assert answer.reasons[0]
    assert answer.narrative_en == answer.reasons[0]
    assert answer.narrative_ko == f"판독 불가: {answer.reasons[0]}"
    assert answer.output == {}


def test_two_second_recording_is_too_short() -> None:
    files = write_wfdb(twelve_lead(seconds=2.0), "short")
    answer = solution.run(SolutionInput("ecg", files, {}))
    assert answer.status == "cannot_read"
    assert answer.findings == ()
    assert "too short (2.0 s)" in answer.reasons[0]
    assert answer.output["quality"] == {"usable": False, "reasons": list(answer.reasons)}


def test_unreadable_sampling_rate_in_meta_is_a_reason() -> None:
    files = write_wfdb(twelve_lead(seconds=2.0), "short")
    answer = solution.run(SolutionInput("ecg", files, {"fs": "fast"}))
    assert answer.status == "cannot_read"
    assert answer.reasons == ("The sampling rate 'fast' is not a number.",)


@pytest.mark.parametrize(
    ("meta", "patient"),
    [
        ({"sex": "female", "age_years": "54"}, Patient("female", 54)),
        ({"sex": " M ", "age_years": "7"}, Patient("male", 7)),
        ({"sex": "unknown", "age_years": "-3"}, Patient(None, None)),
        ({"age_years": "54.5"}, Patient(None, None)),
        ({"age_years": "200"}, Patient(None, None)),
        ({}, Patient(None, None)),
    ],
)
def test_patient_from_meta_only_when_valid(meta: dict[str, str], patient: Patient) -> None:
    assert patient_of(meta) == patient


def test_st_elevation_carries_its_leads_as_location() -> None:
    statement = make("STE_", "critical", leads=["V2", "V3"], territory="anteroseptal")
    found = finding_of(statement)
    assert found.location == {"leads": ["V2", "V3"], "territory": "anteroseptal"}
    assert "heart_rate_bpm" not in found.evidence


def test_narrative_lists_the_other_findings_and_fridericia() -> None:
    findings = (
        finding_of(make("STACH", "borderline"), heart_rate_bpm=112.4),
        finding_of(make("LNGQT", "abnormal", qtc_ms=478)),
    )
    intervals = {"pr": 160.2, "qrs": 98.0, "qtc": 478.0, "qtc_formula": "Fridericia"}
    en, ko = narrative(findings, "STACH", 112.4, intervals)
    assert en == (
        "Sinus tachycardia at 112/min. PR 160 ms, QRS 98 ms, QTc 478 ms (Fridericia). "
        "Prolonged QT interval."
    )
    assert ko == ("동빈맥, 112회/분. PR 160 ms, QRS 98 ms, QTc 478 ms (Fridericia). QT 간격 연장.")


def test_narrative_without_a_named_rhythm() -> None:
    en, ko = narrative((), "", 88.0, {"pr": None, "qrs": 132.0, "qtc": None})
    assert en == "Rhythm not named, rate 88/min. QRS 132 ms."
    assert ko == "리듬 판정 보류, 88회/분. QRS 132 ms."


def test_a_fresh_instance_is_equivalent_to_the_module_solution() -> None:
    other = BuiltinECGSolution()
    assert (other.name, other.version) == (solution.name, solution.version)
