"""The contract every AI solution answers in, built-in or vendor: findings, a narrative in
English and Korean, the reasons a recording could not be read, and the solution's own JSON.

    result = connector.run(SolutionInput("ecg", files, {"sex": "female", "age_years": "54"}))
    data = result.to_json()                       # plain JSON types, stored as is
    AIResult.from_json(data, vocabulary=codes)    # parses a vendor's answer, or ResultError

``from_json`` trusts nothing: unknown keys, missing fields, wrong types, a status or
severity outside the scale, a naive timestamp and (given the solution's vocabulary) a
finding code the solution never declared are each refused with a message naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, TypeVar, get_args, runtime_checkable

Severity = Literal["normal", "borderline", "abnormal", "critical"]
Status = Literal["done", "cannot_read"]
Kind = Literal["ecg", "image"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
STATUSES: tuple[str, ...] = get_args(Status)

_T = TypeVar("_T")


class ResultError(ValueError):
    """An answer that does not follow the contract; the message names the field."""


@dataclass(frozen=True)
class Finding:
    """One statement of a solution: a code from its vocabulary with its wording, severity,
    an optional score (the solution's own scale), where it was seen and why."""

    code: str
    label_en: str
    label_ko: str
    severity: Severity
    score: float | None = None
    location: dict[str, Any] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.code:
            raise ResultError("finding.code is empty.")
        if self.severity not in SEVERITIES:
            raise ResultError(
                f"finding {self.code}: severity {self.severity!r} is not one of "
                f"{', '.join(SEVERITIES)}."
            )
        if self.score is not None and not math.isfinite(self.score):
            raise ResultError(f"finding {self.code}: score must be a finite number.")

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label_en": self.label_en,
            "label_ko": self.label_ko,
            "severity": self.severity,
            "score": self.score,
            "location": self.location,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: object, where: str = "finding") -> Finding:
        fields = _exact_keys(data, where, FINDING_KEYS)
        score = fields["score"]
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
            raise ResultError(f"{where}.score must be a number or null, not {_kind(score)}.")
        location = fields["location"]
        if location is not None:
            location = _typed(location, dict, f"{where}.location", "an object or null")
        return cls(
            code=_text(fields, "code", where, nonempty=True),
            label_en=_text(fields, "label_en", where),
            label_ko=_text(fields, "label_ko", where),
            severity=_one_of(fields, "severity", where, SEVERITIES),  # type: ignore[arg-type]
            score=None if score is None else float(score),
            location=location,
            evidence=_typed(fields["evidence"], dict, f"{where}.evidence", "an object"),
        )


@dataclass(frozen=True)
class AIResult:
    """What one solution said about one item. ``cannot_read`` carries reasons and no
    findings; ``produced_at`` is always timezone-aware UTC."""

    solution: str
    version: str
    status: Status
    findings: tuple[Finding, ...]
    narrative_en: str
    narrative_ko: str
    reasons: tuple[str, ...]
    produced_at: datetime
    output: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.solution or not self.version:
            raise ResultError("solution and version must both be named.")
        if self.status not in STATUSES:
            raise ResultError(f"status {self.status!r} is not one of {', '.join(STATUSES)}.")
        if self.status == "cannot_read" and self.findings:
            raise ResultError("a cannot_read result states no findings.")
        if self.status == "cannot_read" and not self.reasons:
            raise ResultError("a cannot_read result must say why in reasons.")
        if self.produced_at.tzinfo is None or self.produced_at.utcoffset() is None:
            raise ResultError("produced_at must carry a timezone.")
        object.__setattr__(self, "produced_at", self.produced_at.astimezone(UTC))

    def validate(self, vocabulary: Collection[str]) -> AIResult:
        """Every finding code must be one the solution declared; returns self to chain."""
        for i, finding in enumerate(self.findings):
            if finding.code not in vocabulary:
                raise ResultError(
                    f"findings[{i}].code {finding.code!r} is not in the vocabulary of "
                    f"solution {self.solution!r}."
                )
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "solution": self.solution,
            "version": self.version,
            "status": self.status,
            "findings": [f.to_json() for f in self.findings],
            "narrative_en": self.narrative_en,
            "narrative_ko": self.narrative_ko,
            "reasons": list(self.reasons),
            "produced_at": self.produced_at.isoformat(),
            "output": self.output,
        }

    @classmethod
    def from_json(cls, data: object, vocabulary: Collection[str] | None = None) -> AIResult:
        fields = _exact_keys(data, "result", RESULT_KEYS)
        findings = _typed(fields["findings"], list, "result.findings", "a list")
        reasons = _typed(fields["reasons"], list, "result.reasons", "a list")
        for i, reason in enumerate(reasons):
            _typed(reason, str, f"result.reasons[{i}]", "a string")
        result = cls(
            solution=_text(fields, "solution", "result", nonempty=True),
            version=_text(fields, "version", "result", nonempty=True),
            status=_one_of(fields, "status", "result", STATUSES),  # type: ignore[arg-type]
            findings=tuple(
                Finding.from_json(f, f"result.findings[{i}]") for i, f in enumerate(findings)
            ),
            narrative_en=_text(fields, "narrative_en", "result"),
            narrative_ko=_text(fields, "narrative_ko", "result"),
            reasons=tuple(reasons),
            produced_at=_timestamp(fields["produced_at"]),
            output=_typed(fields["output"], dict, "result.output", "an object"),
        )
        return result if vocabulary is None else result.validate(vocabulary)


@dataclass(frozen=True)
class SolutionInput:
    """One item to read: its files (plain base names -> bytes) and what the uploader said
    about it ("sex": male/female, "age_years", "fs" in Hz), all optional."""

    kind: Kind
    files: Mapping[str, bytes]
    meta: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Connector(Protocol):
    """A solution the platform can run: built in, or a vendor reached over the network.
    ``run`` answers every accepted item with a result (``cannot_read`` with the reason for
    a recording it cannot use) and raises only for its own failures."""

    name: str
    version: str

    def accepts(self, item: SolutionInput) -> bool: ...

    def vocabulary(self) -> Mapping[str, tuple[str, str]]:
        """Every code the solution may state -> (English, Korean) wording."""
        ...

    def run(self, item: SolutionInput) -> AIResult: ...


FINDING_KEYS = frozenset(f for f in Finding.__dataclass_fields__)
RESULT_KEYS = frozenset(f for f in AIResult.__dataclass_fields__)


def _kind(value: object) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }
    if value is None:
        return "null"
    return names.get(type(value), f"a {type(value).__name__}")


def _exact_keys(data: object, where: str, expected: frozenset[str]) -> dict[str, Any]:
    fields = _typed(data, dict, where, "an object")
    missing = sorted(expected - fields.keys())
    if missing:
        raise ResultError(f"{where} is missing {', '.join(missing)}.")
    unknown = sorted(str(k) for k in fields.keys() - expected)
    if unknown:
        raise ResultError(f"{where} has unknown keys: {', '.join(unknown)}.")
    return fields


def _typed(value: object, expected: type[_T], where: str, wanted: str) -> _T:
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        raise ResultError(f"{where} must be {wanted}, not {_kind(value)}.")
    return value


def _text(fields: Mapping[str, Any], key: str, where: str, *, nonempty: bool = False) -> str:
    value = _typed(fields[key], str, f"{where}.{key}", "a string")
    if nonempty and not value.strip():
        raise ResultError(f"{where}.{key} is empty.")
    return value


def _one_of(fields: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
    value = _text(fields, key, where)
    if value not in allowed:
        raise ResultError(f"{where}.{key} {value!r} is not one of {', '.join(allowed)}.")
    return value


def _timestamp(value: object) -> datetime:
    text = _typed(value, str, "result.produced_at", "an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ResultError(f"result.produced_at {text!r} is not an ISO 8601 time.") from None
    if moment.tzinfo is None:
        raise ResultError(f"result.produced_at {text!r} has no timezone.")
    return moment
