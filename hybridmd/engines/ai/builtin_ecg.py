"""The built-in ECG engine as an AI solution: the same contract a vendor answers in.

Every statement becomes a finding (no score: the engine's criteria are rules, not
probabilities); the narrative names the rhythm and rate, the key intervals and the other
statements, in English and Korean:

    Sinus bradycardia at 45/min. PR 148 ms, QRS 92 ms, QTc 424 ms.
    동서맥, 45회/분. PR 148 ms, QRS 92 ms, QTc 424 ms.

A recording the readers refuse, or the engine cannot read, is ``cannot_read`` with the
reason (the Korean narrative prefixes it with 판독 불가), never an exception; only a bug in
the engine itself raises. ``solution`` is what the ``hybridmd.ai_solutions`` entry point
names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from hybridmd.engines.ai.results import AIResult, Finding, SolutionInput
from hybridmd.engines.ecg import ECGReadError, read_ecg
from hybridmd.engines.ecg.analysis import interpret
from hybridmd.engines.ecg.analysis.scp import LABELS, Patient, Sex, Statement

MAX_AGE_YEARS = 130


class BuiltinECGSolution:
    """Connector for ``hybridmd.engines.ecg.analysis.interpret``."""

    name = interpret.ENGINE_NAME
    version = interpret.ENGINE_VERSION

    def accepts(self, item: SolutionInput) -> bool:
        return item.kind == "ecg"

    def vocabulary(self) -> Mapping[str, tuple[str, str]]:
        return dict(LABELS)

    def run(self, item: SolutionInput) -> AIResult:
        if not self.accepts(item):
            return self._cannot_read([f"{self.name} reads ECGs only, not {item.kind} items."])
        try:
            ecg = read_ecg(item.files, fs=_sampling_rate(item.meta))
        except ECGReadError as error:
            return self._cannot_read([error.message])
        reading = interpret.analyze(ecg, patient_of(item.meta))
        output = reading.as_json()
        if not reading.usable:
            reasons = list(reading.reasons) or ["The engine could not read this recording."]
            return self._cannot_read(reasons, output)
        rhythm_code = reading.rhythm.code if reading.rhythm else ""
        rate = reading.rhythm.heart_rate_bpm if reading.rhythm else None
        findings = tuple(
            finding_of(s, rate if s.code == rhythm_code else None) for s in reading.statements
        )
        narrative_en, narrative_ko = narrative(findings, rhythm_code, rate, output["intervals_ms"])
        return AIResult(
            solution=self.name,
            version=self.version,
            status="done",
            findings=findings,
            narrative_en=narrative_en,
            narrative_ko=narrative_ko,
            reasons=tuple(reading.reasons),
            produced_at=datetime.now(UTC),
            output=output,
        )

    def _cannot_read(self, reasons: list[str], output: dict[str, Any] | None = None) -> AIResult:
        return AIResult(
            solution=self.name,
            version=self.version,
            status="cannot_read",
            findings=(),
            narrative_en=" ".join(reasons),
            narrative_ko="판독 불가: " + " ".join(reasons),
            reasons=tuple(reasons),
            produced_at=datetime.now(UTC),
            output=output or {},
        )


solution = BuiltinECGSolution()


def patient_of(meta: Mapping[str, str]) -> Patient:
    """Sex and age from the uploader's words when they are valid; otherwise unknown."""
    sexes: dict[str, Sex] = {"male": "male", "m": "male", "female": "female", "f": "female"}
    sex = sexes.get(meta.get("sex", "").strip().lower())
    age: int | None = None
    text = meta.get("age_years", "").strip()
    if text.isdigit() and int(text) <= MAX_AGE_YEARS:
        age = int(text)
    return Patient(sex=sex, age_years=age)


def _sampling_rate(meta: Mapping[str, str]) -> float | None:
    """The uploader's sampling rate; an unusable one is the readers' to refuse."""
    text = meta.get("fs", "").strip()
    if not text:
        return None
    try:
        fs = float(text)
    except ValueError:
        raise ECGReadError(f"The sampling rate {text[:20]!r} is not a number.") from None
    if not math.isfinite(fs):
        raise ECGReadError(f"The sampling rate {text[:20]!r} is not a number.")
    return fs


def finding_of(statement: Statement, heart_rate_bpm: float | None = None) -> Finding:
    """The statement as a finding; the rhythm's carries the heart rate, ST statements
    carry their leads (and territory) as the location."""
    evidence = {key: _plain(value) for key, value in statement.evidence.items()}
    if heart_rate_bpm is not None:
        evidence.setdefault("heart_rate_bpm", round(heart_rate_bpm))
    location: dict[str, Any] | None = None
    if isinstance(evidence.get("leads"), list):
        location = {"leads": evidence["leads"]}
        if "territory" in evidence:
            location["territory"] = evidence["territory"]
    return Finding(
        code=statement.code,
        label_en=statement.label_en,
        label_ko=statement.label_ko,
        severity=statement.severity,
        score=None,
        location=location,
        evidence=evidence,
    )


def narrative(
    findings: tuple[Finding, ...],
    rhythm_code: str,
    heart_rate_bpm: float | None,
    intervals_ms: Mapping[str, Any],
) -> tuple[str, str]:
    """(English, Korean): rhythm and rate, then PR, QRS and QTc, then the other findings."""
    rhythm = next((f for f in findings if rhythm_code and f.code == rhythm_code), None)
    rate = _rounded(heart_rate_bpm)
    if rhythm is not None and isinstance(rhythm.evidence.get("heart_rate_bpm"), int):
        rate = rhythm.evidence["heart_rate_bpm"]
    label_en = rhythm.label_en if rhythm else "Rhythm not named"
    label_ko = rhythm.label_ko if rhythm else "리듬 판정 보류"
    joiner = " at" if rhythm else ", rate"
    en = [f"{label_en}{joiner} {rate}/min." if rate is not None else f"{label_en}."]
    ko = [f"{label_ko}, {rate}회/분." if rate is not None else f"{label_ko}."]
    intervals = _intervals(intervals_ms)
    if intervals:
        en.append(intervals)
        ko.append(intervals)
    others = [f for f in findings if f is not rhythm]
    if others:
        en.append("; ".join(f.label_en for f in others) + ".")
        ko.append("; ".join(f.label_ko for f in others) + ".")
    return " ".join(en), " ".join(ko)


def _intervals(intervals_ms: Mapping[str, Any]) -> str:
    parts = [
        f"{label} {_rounded(intervals_ms.get(key))} ms"
        for key, label in (("pr", "PR"), ("qrs", "QRS"), ("qtc", "QTc"))
        if intervals_ms.get(key) is not None
    ]
    formula = intervals_ms.get("qtc_formula")
    if intervals_ms.get("qtc") is not None and formula and formula != "Bazett":
        parts[-1] += f" ({formula})"
    return ", ".join(parts) + "." if parts else ""


def _rounded(value: object) -> int | None:
    return round(value) if isinstance(value, int | float) else None


def _plain(value: object) -> Any:
    """numpy scalars and tuples as plain JSON types, so a result survives a JSON round trip."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
