"""Specialist consensus over reviewers' per-finding feedback on one AI reading.

Reviewers judge each finding the AI stated, in the style of IHE AI Results Assessment:

- ``agree``: the finding is present as stated.
- ``disagree``: the finding is absent.
- ``modify``: the finding is absent; ``corrected_code`` is present instead.

A finding the AI missed is reported with a fourth verdict, ``added``, on a code the AI did not
state (``FindingFeedback("AFL", "added")``): clearer than a ``modify`` of a code onto itself.

Rules of :func:`consensus`:

- Only specialists' reviews make the consensus; non-specialists' votes are tallied the same way
  and returned separately, so they stay visible without changing the outcome.
- One review per reviewer: if a reviewer appears more than once, the review with the latest
  ``at`` counts (equal times: the later one in the sequence). Its ``is_specialist`` flag counts.
- A reviewer who gives no verdict on an AI finding abstains on it.
- An AI finding is ``confirmed`` when a strict majority of the votes on it agree, ``rejected``
  when a strict majority disagree or modify, ``disputed`` on a tie, ``unreviewed`` without votes.
- A missed code (added, or the target of a ``modify``) is ``confirmed`` when a strict majority of
  the reviewers assert it, ``disputed`` when exactly half do, ``rejected`` otherwise.
- The reading as a whole is agreed when every AI finding is confirmed and no missed code is
  confirmed; ``None`` without specialist reviews.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

Verdict = Literal["agree", "disagree", "modify", "added"]
FindingStatus = Literal["confirmed", "rejected", "disputed", "unreviewed"]
Presence = Literal["present", "absent", "undecided"]

VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


@dataclass(frozen=True)
class FindingFeedback:
    """One reviewer's verdict on one finding code."""

    finding_code: str
    verdict: Verdict
    corrected_code: str | None = None
    comment: str = ""

    def __post_init__(self) -> None:
        if not self.finding_code.strip():
            raise ValueError("finding_code must not be empty")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == "modify":
            if not self.corrected_code or not self.corrected_code.strip():
                raise ValueError(f"'modify' of {self.finding_code!r} needs a corrected_code")
            if self.corrected_code == self.finding_code:
                raise ValueError(
                    f"'modify' of {self.finding_code!r} corrects it to itself; use 'agree'"
                )
        elif self.corrected_code is not None:
            raise ValueError(f"corrected_code is only allowed with 'modify', not {self.verdict!r}")


@dataclass(frozen=True)
class Review:
    """One reviewer's feedback on one AI reading."""

    reviewer_id: str
    is_specialist: bool
    findings: tuple[FindingFeedback, ...]
    at: datetime

    def __post_init__(self) -> None:
        if not self.reviewer_id.strip():
            raise ValueError("reviewer_id must not be empty")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"review by {self.reviewer_id!r}: 'at' must be timezone-aware")
        codes = [feedback.finding_code for feedback in self.findings]
        repeated = sorted(code for code, count in Counter(codes).items() if count > 1)
        if repeated:
            raise ValueError(f"review by {self.reviewer_id!r} judges {repeated} more than once")

    def asserted_codes(self) -> frozenset[str]:
        """Codes this reviewer says are present beyond the ones they agreed with."""
        added = {f.finding_code for f in self.findings if f.verdict == "added"}
        corrected = {f.corrected_code for f in self.findings if f.corrected_code is not None}
        return frozenset(added | corrected)


@dataclass(frozen=True)
class Votes:
    """The votes on one AI finding; ``corrected_to`` counts the codes proposed by ``modify``."""

    agree: int = 0
    disagree: int = 0
    modify: int = 0
    corrected_to: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.modify


@dataclass(frozen=True)
class FindingConsensus:
    """A finding the AI stated: the votes on it and the outcome."""

    code: str
    votes: Votes
    status: FindingStatus


@dataclass(frozen=True)
class AddedFinding:
    """A code the AI did not state but ``votes`` of ``reviewers`` reviewers said is present."""

    code: str
    votes: int
    reviewers: int
    status: FindingStatus


@dataclass(frozen=True)
class Tally:
    """The votes of one group of reviewers (specialists or non-specialists)."""

    reviewer_ids: tuple[str, ...]
    findings: tuple[FindingConsensus, ...]
    added: tuple[AddedFinding, ...]

    def finding(self, code: str) -> FindingConsensus:
        """The tally of an AI finding; KeyError if the AI did not state ``code``."""
        for finding in self.findings:
            if finding.code == code:
                return finding
        raise KeyError(code)


@dataclass(frozen=True)
class Consensus:
    """The specialists' consensus on one AI reading, with every vote kept."""

    ai_codes: frozenset[str]
    specialist_votes: Tally
    non_specialist_votes: Tally
    reading_agreed: bool | None
    present_codes: frozenset[str]

    @property
    def has_specialist_review(self) -> bool:
        return bool(self.specialist_votes.reviewer_ids)

    def presence(self, code: str) -> Presence:
        """Whether the consensus says ``code`` is present, absent or has not decided."""
        if not self.has_specialist_review:
            return "undecided"
        statuses = [f.status for f in self.specialist_votes.findings if f.code == code]
        statuses += [a.status for a in self.specialist_votes.added if a.code == code]
        status = statuses[0] if statuses else "rejected"  # a code nobody asserted is absent
        if status == "confirmed":
            return "present"
        if status == "rejected":
            return "absent"
        return "undecided"


def majority_status(supporting: int, total: int) -> FindingStatus:
    """Strict majority of ``total`` supporting: confirmed; strict majority against: rejected."""
    if total == 0:
        return "unreviewed"
    if 2 * supporting > total:
        return "confirmed"
    if 2 * supporting < total:
        return "rejected"
    return "disputed"


def consensus(ai_codes: Collection[str], reviews: Sequence[Review]) -> Consensus:
    """The consensus of the specialists' reviews on a reading whose AI stated ``ai_codes``."""
    codes = frozenset(ai_codes)
    if any(not code.strip() for code in codes):
        raise ValueError("ai_codes must not contain an empty code")
    for review in reviews:
        _check_against_ai(review, codes)

    latest = _latest_per_reviewer(reviews)
    specialists = _tally(codes, [r for r in latest if r.is_specialist])
    others = _tally(codes, [r for r in latest if not r.is_specialist])

    reading_agreed: bool | None = None
    if specialists.reviewer_ids:
        all_confirmed = all(f.status == "confirmed" for f in specialists.findings)
        missed_any = any(a.status == "confirmed" for a in specialists.added)
        reading_agreed = all_confirmed and not missed_any
    present = {f.code for f in specialists.findings if f.status == "confirmed"}
    present |= {a.code for a in specialists.added if a.status == "confirmed"}
    return Consensus(
        ai_codes=codes,
        specialist_votes=specialists,
        non_specialist_votes=others,
        reading_agreed=reading_agreed,
        present_codes=frozenset(present),
    )


def _check_against_ai(review: Review, ai_codes: frozenset[str]) -> None:
    for feedback in review.findings:
        stated = feedback.finding_code in ai_codes
        if feedback.verdict == "added" and stated:
            raise ValueError(
                f"review by {review.reviewer_id!r} adds {feedback.finding_code!r}, "
                "which the AI already stated"
            )
        if feedback.verdict != "added" and not stated:
            raise ValueError(
                f"review by {review.reviewer_id!r} judges {feedback.finding_code!r} "
                f"({feedback.verdict!r}), which the AI did not state; use 'added'"
            )


def _latest_per_reviewer(reviews: Sequence[Review]) -> list[Review]:
    latest: dict[str, Review] = {}
    for review in reviews:
        previous = latest.get(review.reviewer_id)
        if previous is None or review.at >= previous.at:
            latest[review.reviewer_id] = review
    return list(latest.values())


def _tally(ai_codes: frozenset[str], reviews: list[Review]) -> Tally:
    verdicts: dict[str, Counter[str]] = {code: Counter() for code in ai_codes}
    corrections: dict[str, Counter[str]] = {code: Counter() for code in ai_codes}
    asserted: Counter[str] = Counter()
    for review in reviews:
        for feedback in review.findings:
            if feedback.verdict == "added":
                continue
            verdicts[feedback.finding_code][feedback.verdict] += 1
            if feedback.corrected_code is not None:
                corrections[feedback.finding_code][feedback.corrected_code] += 1
        asserted.update(review.asserted_codes() - ai_codes)

    findings = []
    for code in sorted(ai_codes):
        votes = Votes(
            agree=verdicts[code]["agree"],
            disagree=verdicts[code]["disagree"],
            modify=verdicts[code]["modify"],
            corrected_to=tuple(sorted(corrections[code].items())),
        )
        status = majority_status(votes.agree, votes.total)
        findings.append(FindingConsensus(code=code, votes=votes, status=status))
    added = tuple(
        AddedFinding(
            code=code,
            votes=count,
            reviewers=len(reviews),
            status=majority_status(count, len(reviews)),
        )
        for code, count in sorted(asserted.items())
    )
    return Tally(
        reviewer_ids=tuple(sorted(r.reviewer_id for r in reviews)),
        findings=tuple(findings),
        added=added,
    )
