"""An AI solution's measured track record against specialist consensus.

Only readings with at least one specialist review count. Per finding code, each reading is
scored by what the AI stated against what the consensus says (see ``Consensus.presence``):
stated and present is a true positive, stated and absent a false positive, present but not
stated a false negative, absent and not stated a true negative; an undecided code (disputed or
unreviewed) is counted as ``indeterminate`` and left out of sensitivity and specificity.

Proportions carry a Wilson score interval (95 % by default), which stays inside [0, 1] and
behaves at 0 of n and n of n, unlike the normal approximation.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal

from hybridmd.engines.ai.feedback import Consensus

Z_95 = 1.959963984540054
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` of ``n``; (0.0, 1.0) when ``n`` is 0."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    if not (math.isfinite(z) and z > 0):
        raise ValueError(f"z must be a positive finite number, got {z}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Pin the exact ends so rounding error can never exclude 0 of n or n of n.
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half_width))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half_width))
    return (low, high)


@dataclass(frozen=True)
class Proportion:
    """``successes`` of ``total``, with its point estimate and Wilson 95 % interval."""

    successes: int
    total: int

    def __post_init__(self) -> None:
        if not 0 <= self.successes <= self.total:
            raise ValueError(f"successes must be between 0 and {self.total}, got {self.successes}")

    @property
    def estimate(self) -> float | None:
        """None when there is nothing to measure (``total`` is 0)."""
        return self.successes / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.total)


@dataclass(frozen=True)
class ReviewedReading:
    """One AI reading, the month it was made ("YYYY-MM") and its review consensus."""

    reading_id: str
    month: str
    consensus: Consensus

    def __post_init__(self) -> None:
        if not _MONTH.fullmatch(self.month):
            raise ValueError(
                f"reading {self.reading_id!r}: month must be 'YYYY-MM', got {self.month!r}"
            )


@dataclass(frozen=True)
class FindingPerformance:
    """The AI's confusion counts for one finding code against specialist consensus."""

    code: str
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    indeterminate: int = 0

    @property
    def positives(self) -> int:
        """Readings where the consensus says the finding is present."""
        return self.true_positive + self.false_negative

    @property
    def negatives(self) -> int:
        """Readings where the consensus says the finding is absent."""
        return self.true_negative + self.false_positive

    @property
    def sensitivity(self) -> Proportion:
        return Proportion(self.true_positive, self.positives)

    @property
    def specificity(self) -> Proportion:
        return Proportion(self.true_negative, self.negatives)


class _AgreementCounts:
    """``reviewed`` and ``agreed`` read off an ``agreement`` proportion."""

    agreement: Proportion

    @property
    def reviewed(self) -> int:
        return self.agreement.total

    @property
    def agreed(self) -> int:
        return self.agreement.successes


@dataclass(frozen=True)
class MonthlyAgreement(_AgreementCounts):
    """Whole-reading agreement in one month, for showing drift."""

    month: str
    agreement: Proportion


@dataclass(frozen=True)
class TrackRecord(_AgreementCounts):
    """Agreement over reviewed readings, per-finding performance and the monthly trend."""

    agreement: Proportion
    findings: Mapping[str, FindingPerformance]
    trend: tuple[MonthlyAgreement, ...]


def track_record(readings: Iterable[ReviewedReading], vocabulary: Collection[str]) -> TrackRecord:
    """The track record over ``readings`` that have a specialist review.

    ``findings`` has every code of ``vocabulary``, plus any code the AI stated or a specialist
    asserted outside it, so no false positive or missed finding goes uncounted.
    """
    reviewed = [r for r in readings if r.consensus.has_specialist_review]
    repeated = sorted(i for i, n in Counter(r.reading_id for r in reviewed).items() if n > 1)
    if repeated:
        raise ValueError(f"readings counted more than once: {repeated}")

    codes = set(vocabulary)
    for reading in reviewed:
        codes |= reading.consensus.ai_codes
        codes |= {a.code for a in reading.consensus.specialist_votes.added}
    findings = {code: _performance(code, reviewed) for code in sorted(codes)}

    by_month: dict[str, list[bool]] = defaultdict(list)
    for reading in reviewed:
        by_month[reading.month].append(bool(reading.consensus.reading_agreed))
    trend = tuple(
        MonthlyAgreement(month, Proportion(sum(agreed), len(agreed)))
        for month, agreed in sorted(by_month.items())
    )
    agreed_count = sum(bool(r.consensus.reading_agreed) for r in reviewed)
    return TrackRecord(
        agreement=Proportion(agreed_count, len(reviewed)),
        findings=MappingProxyType(findings),
        trend=trend,
    )


def _performance(code: str, readings: list[ReviewedReading]) -> FindingPerformance:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "indeterminate": 0}
    for reading in readings:
        presence = reading.consensus.presence(code)
        stated = code in reading.consensus.ai_codes
        if presence == "undecided":
            counts["indeterminate"] += 1
        elif presence == "present":
            counts["tp" if stated else "fn"] += 1
        else:
            counts["fp" if stated else "tn"] += 1
    return FindingPerformance(
        code=code,
        true_positive=counts["tp"],
        false_positive=counts["fp"],
        false_negative=counts["fn"],
        true_negative=counts["tn"],
        indeterminate=counts["indeterminate"],
    )


def summary_line(record: TrackRecord, language: Literal["en", "ko"]) -> str:
    """The one-line track record, e.g. "Specialists agreed with 187 of 203 readings, 92% [88–95%]".

    Whole percents rounded half up; the point estimate shows 100% only when every reading was
    agreed and 0% only when none was (199 of 200 shows 99%, not 100%).
    """
    if language not in ("en", "ko"):
        raise ValueError(f"language must be 'en' or 'ko', got {language!r}")
    agreed, reviewed = record.agreed, record.reviewed
    if reviewed == 0:
        return "Not yet reviewed by specialists" if language == "en" else "아직 전문의 검토 없음"
    low, high = record.agreement.interval
    percent = _estimate_percent(agreed, reviewed)
    figures = f"{percent}% [{whole_percent(low)}–{whole_percent(high)}%]"
    if language == "ko":
        return f"전문의 {reviewed}건 중 {agreed}건 동의, {figures}"
    noun = "reading" if reviewed == 1 else "readings"
    return f"Specialists agreed with {agreed} of {reviewed} {noun}, {figures}"


def _estimate_percent(successes: int, total: int) -> int:
    percent = (200 * successes + total) // (2 * total)  # exact half-up of 100 * s / n
    if successes < total:
        percent = min(percent, 99)
    if successes > 0:
        percent = max(percent, 1)
    return percent


def whole_percent(proportion: float) -> int:
    """0.145 -> 15, 0.125 -> 13: half up, on the decimal the float prints as (not its binary)."""
    return int((Decimal(repr(proportion)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
