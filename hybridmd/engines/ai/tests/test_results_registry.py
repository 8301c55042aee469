"""The result contract (JSON round trip, what from_json refuses) and solution discovery."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from hybridmd.engines.ai import builtin_ecg, registry
from hybridmd.engines.ai.registry import ENTRY_POINT_GROUP, builtin_solutions, discover, scan
from hybridmd.engines.ai.results import (
    AIResult,
    Connector,
    Finding,
    ResultError,
    SolutionInput,
)

HERE = "hybridmd.engines.ai.tests.test_results_registry"


def finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "code": "STE_",
        "label_en": "ST elevation meeting STEMI criteria",
        "label_ko": "STEMI 기준을 충족하는 ST 분절 상승",
        "severity": "critical",
        "score": 0.93,
        "location": {"leads": ["V2", "V3"], "territory": "anteroseptal"},
        "evidence": {"st_j_mv": "V2 +0.31,V3 +0.28", "n": 2},
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def result(**changes: object) -> AIResult:
    values: dict[str, object] = {
        "solution": "vendor-x",
        "version": "2.1",
        "status": "done",
        "findings": (finding(), finding(code="SR", severity="normal", score=None, location=None)),
        "narrative_en": "Sinus rhythm at 72/min. ST elevation V2-V3.",
        "narrative_ko": "동리듬, 72회/분. V2-V3 ST 분절 상승.",
        "reasons": ("aVL left out: noise",),
        "produced_at": datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        "output": {"raw": [1, 2.5, None], "model": {"name": "x"}},
    }
    values.update(changes)
    return AIResult(**values)  # type: ignore[arg-type]


def through_json(data: object) -> object:
    return json.loads(json.dumps(data, ensure_ascii=False))


# --- round trip ---------------------------------------------------------------------------


def test_finding_round_trip() -> None:
    original = finding()
    assert Finding.from_json(through_json(original.to_json())) == original


def test_result_round_trip_through_json_text() -> None:
    original = result()
    again = AIResult.from_json(through_json(original.to_json()), vocabulary={"STE_", "SR"})
    assert again == original
    assert again.produced_at.tzinfo is UTC


def test_cannot_read_round_trip() -> None:
    original = result(status="cannot_read", findings=(), reasons=("too short",), output={})
    assert AIResult.from_json(through_json(original.to_json())) == original


def test_produced_at_is_normalised_to_utc() -> None:
    seoul = timezone(timedelta(hours=9))
    made = result(produced_at=datetime(2026, 11, 25, 17, 0, tzinfo=seoul))
    assert made.produced_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert made.produced_at.utcoffset() == timedelta(0)
    data = result().to_json() | {"produced_at": "2026-11-25T08:00:00Z"}
    assert AIResult.from_json(data).produced_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_integer_score_becomes_float() -> None:
    data = finding().to_json() | {"score": 1}
    assert Finding.from_json(data).score == 1.0


# --- what from_json refuses ---------------------------------------------------------------


def broken(
    path: tuple[str | int, ...], value: object = None, *, delete: bool = False
) -> dict[str, Any]:
    """result().to_json() with one field replaced (or deleted)."""
    data = result().to_json()
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "result must be an object, not a list."),
        (broken(("narrative_ko",), delete=True), "result is missing narrative_ko."),
        (broken(("confidence",), 0.9), "result has unknown keys: confidence."),
        (broken(("findings", 0, "severity"), delete=True), "findings[0] is missing severity"),
        (broken(("findings", 1, "extra"), 1), "findings[1] has unknown keys: extra."),
        (broken(("status",), "maybe"), "result.status 'maybe' is not one of done, cannot_read."),
        (broken(("status",), 1), "result.status must be a string, not an integer."),
        (broken(("findings",), {}), "result.findings must be a list, not an object."),
        (broken(("reasons", 0), 3), "result.reasons[0] must be a string, not an integer."),
        (broken(("output",), "x"), "result.output must be an object, not a string."),
        (broken(("solution",), " "), "result.solution is empty."),
        (broken(("findings", 0, "score"), "0.9"), ".score must be a number or null, not a string"),
        (broken(("findings", 0, "score"), True), ".score must be a number or null, not a boolean"),
        (broken(("findings", 0, "evidence"), None), "findings[0].evidence must be an object, not"),
        (broken(("findings", 0, "location"), ["V2"]), "findings[0].location must be an object"),
        (
            broken(("findings", 0, "severity"), "severe"),
            "findings[0].severity 'severe' is not one of normal, borderline, abnormal, critical.",
        ),
        (broken(("produced_at",), "yesterday"), "'yesterday' is not an ISO 8601 time."),
        (broken(("produced_at",), "2026-11-25T08:00:00"), "has no timezone."),
        (
            broken(("reasons",), []) | {"status": "cannot_read", "findings": []},
            "a cannot_read result must say why in reasons.",
        ),
        (broken(("status",), "cannot_read"), "a cannot_read result states no findings."),
    ],
)
def test_from_json_refuses_with_a_message(data: object, message: str) -> None:
    with pytest.raises(ResultError) as caught:
        AIResult.from_json(data)
    assert message in str(caught.value)


def test_unknown_finding_code_against_the_vocabulary() -> None:
    data = result().to_json()
    with pytest.raises(ResultError, match=r"findings\[0\]\.code 'STE_' is not in the vocabulary"):
        AIResult.from_json(data, vocabulary={"SR"})
    with pytest.raises(ResultError, match="of solution 'vendor-x'"):
        result().validate(builtin_ecg.solution.vocabulary().keys() - {"STE_"})
    assert result().validate({"SR", "STE_"}) == result()


def test_result_error_is_a_value_error() -> None:
    assert issubclass(ResultError, ValueError)


# --- the connector protocol and discovery --------------------------------------------------


class FakeImageSolution:
    """A class (not an instance) under an entry point: the registry instantiates it."""

    name = "fake-image"
    version = "0.1"

    def accepts(self, item: SolutionInput) -> bool:
        return item.kind == "image"

    def vocabulary(self) -> Mapping[str, tuple[str, str]]:
        return {"PNEUMOTHORAX": ("Pneumothorax", "기흉")}

    def run(self, item: SolutionInput) -> AIResult:
        """Discovery only loads solutions; this one would say it cannot read anything."""
        return AIResult(
            solution=self.name,
            version=self.version,
            status="cannot_read",
            findings=(),
            narrative_en="Not a real model.",
            narrative_ko="실제 모델이 아님.",
            reasons=("a registry test fixture",),
            produced_at=datetime.now(UTC),
        )


class NotAConnector:
    name = "not-a-connector"


misnamed = builtin_ecg.BuiltinECGSolution()


def entry(name: str, attribute: str, module: str = HERE) -> EntryPoint:
    return EntryPoint(name=name, value=f"{module}:{attribute}", group=ENTRY_POINT_GROUP)


def test_builtin_solution_satisfies_the_protocol() -> None:
    assert isinstance(builtin_ecg.solution, Connector)
    assert builtin_solutions() == {"hybridmd-ecg": builtin_ecg.solution}


def test_discover_finds_the_installed_entry_point() -> None:
    found = discover(fallback=False)
    assert found["hybridmd-ecg"] is builtin_ecg.solution
    assert scan().skipped == ()


def test_scan_skips_what_cannot_serve_and_says_why() -> None:
    discovery = scan(
        [
            entry("fake-image", "FakeImageSolution"),
            entry("broken", "thing", module="hybridmd.engines.ai.no_such_module"),
            entry("not-a-connector", "NotAConnector"),
            entry("other-name", "misnamed"),
            entry("hybridmd-ecg", "solution", module="hybridmd.engines.ai.builtin_ecg"),
            entry("hybridmd-ecg", "misnamed"),
        ]
    )
    assert set(discovery.solutions) == {"fake-image", "hybridmd-ecg"}
    assert isinstance(discovery.solutions["fake-image"], FakeImageSolution)
    reasons = {skip.entry_point.split(" = ")[0]: skip.reason for skip in discovery.skipped}
    assert reasons["broken"].startswith("failed to load (ModuleNotFoundError")
    assert (
        "does not provide name, version, accepts, vocabulary and run" in reasons["not-a-connector"]
    )
    assert (
        "named 'other-name' but the solution calls itself 'hybridmd-ecg'" in (reasons["other-name"])
    )
    assert "already taken" in reasons["hybridmd-ecg"]


def test_discover_logs_skips_and_falls_back_to_the_builtin(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bad = [entry("not-a-connector", "NotAConnector")]
    monkeypatch.setattr(registry, "entry_points", lambda group: bad)
    with caplog.at_level(logging.WARNING, logger=registry.__name__):
        assert discover() == {"hybridmd-ecg": builtin_ecg.solution}
        assert discover(fallback=False) == {}
    assert "not-a-connector = " in caplog.text
    assert "skipped" in caplog.text
