"""Specialist consensus on one AI reading, computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hybridmd.engines.ai.feedback import (
    FindingFeedback,
    Review,
    Votes,
    consensus,
    majority_status,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def review(
    reviewer_id: str,
    *findings: FindingFeedback,
    specialist: bool = True,
    minutes: int = 0,
) -> Review:
    return Review(reviewer_id, specialist, findings, T0 + timedelta(minutes=minutes))


def agree(code: str) -> FindingFeedback:
    return FindingFeedback(code, "agree")


def disagree(code: str) -> FindingFeedback:
    return FindingFeedback(code, "disagree")


def modify(code: str, corrected: str) -> FindingFeedback:
    return FindingFeedback(code, "modify", corrected_code=corrected)


def added(code: str) -> FindingFeedback:
    return FindingFeedback(code, "added")


def test_two_agreeing_specialists_confirm_the_reading() -> None:
    result = consensus({"AFIB"}, [review("s1", agree("AFIB")), review("s2", agree("AFIB"))])

    finding = result.specialist_votes.finding("AFIB")
    assert finding.votes == Votes(agree=2)
    assert finding.status == "confirmed"
    assert result.reading_agreed is True
    assert result.present_codes == {"AFIB"}
    assert result.specialist_votes.reviewer_ids == ("s1", "s2")


def test_one_agree_and_one_modify_is_disputed_and_keeps_both_votes() -> None:
    result = consensus({"AFIB"}, [review("s1", agree("AFIB")), review("s2", modify("AFIB", "AFL"))])

    finding = result.specialist_votes.finding("AFIB")
    assert finding.votes == Votes(agree=1, modify=1, corrected_to=(("AFL", 1),))
    assert finding.status == "disputed"
    (afl,) = result.specialist_votes.added
    assert (afl.code, afl.votes, afl.reviewers, afl.status) == ("AFL", 1, 2, "disputed")
    assert result.reading_agreed is False
    assert result.present_codes == frozenset()
    assert result.presence("AFIB") == "undecided"
    assert result.presence("AFL") == "undecided"


def test_three_specialists_decide_by_strict_majority() -> None:
    result = consensus(
        {"AFIB", "LBBB"},
        [
            review("s1", agree("AFIB"), agree("LBBB")),
            review("s2", agree("AFIB"), modify("LBBB", "RBBB")),
            review("s3", disagree("AFIB"), modify("LBBB", "RBBB")),
        ],
    )

    assert result.specialist_votes.finding("AFIB").votes == Votes(agree=2, disagree=1)
    assert result.specialist_votes.finding("AFIB").status == "confirmed"
    lbbb = result.specialist_votes.finding("LBBB")
    assert lbbb.votes == Votes(agree=1, modify=2, corrected_to=(("RBBB", 2),))
    assert lbbb.status == "rejected"
    (rbbb,) = result.specialist_votes.added
    assert (rbbb.code, rbbb.votes, rbbb.reviewers, rbbb.status) == ("RBBB", 2, 3, "confirmed")
    assert result.present_codes == {"AFIB", "RBBB"}
    assert result.reading_agreed is False
    assert [result.presence(c) for c in ("AFIB", "LBBB", "RBBB", "STE")] == [
        "present",
        "absent",
        "present",
        "absent",
    ]


def test_non_specialist_disagreement_is_reported_but_does_not_count() -> None:
    result = consensus(
        {"AFIB"},
        [
            review("s1", agree("AFIB")),
            review("gp1", disagree("AFIB"), added("LBBB"), specialist=False),
        ],
    )

    assert result.specialist_votes.finding("AFIB").votes == Votes(agree=1)
    assert result.specialist_votes.added == ()
    assert result.reading_agreed is True
    assert result.present_codes == {"AFIB"}
    others = result.non_specialist_votes
    assert others.reviewer_ids == ("gp1",)
    assert others.finding("AFIB").votes == Votes(disagree=1)
    assert others.finding("AFIB").status == "rejected"
    assert [(a.code, a.votes) for a in others.added] == [("LBBB", 1)]


def test_same_reviewer_twice_counts_only_the_latest_review() -> None:
    later_disagrees = review("s1", disagree("AFIB"), minutes=30)
    earlier_agrees = review("s1", agree("AFIB"))
    result = consensus({"AFIB"}, [later_disagrees, earlier_agrees, review("s2", agree("AFIB"))])

    assert result.specialist_votes.reviewer_ids == ("s1", "s2")
    assert result.specialist_votes.finding("AFIB").votes == Votes(agree=1, disagree=1)
    assert result.specialist_votes.finding("AFIB").status == "disputed"


def test_same_reviewer_at_the_same_time_counts_the_later_in_sequence() -> None:
    result = consensus({"AFIB"}, [review("s1", disagree("AFIB")), review("s1", agree("AFIB"))])

    assert result.specialist_votes.finding("AFIB").votes == Votes(agree=1)


def test_latest_review_decides_whether_the_reviewer_is_a_specialist() -> None:
    result = consensus(
        {"AFIB"},
        [review("u1", agree("AFIB"), specialist=False), review("u1", agree("AFIB"), minutes=5)],
    )

    assert result.specialist_votes.reviewer_ids == ("u1",)
    assert result.non_specialist_votes.reviewer_ids == ()


def test_missed_finding_added_by_a_majority_is_present_and_breaks_agreement() -> None:
    result = consensus(
        {"AFIB"},
        [
            review("s1", agree("AFIB"), added("LBBB")),
            review("s2", agree("AFIB"), added("LBBB")),
            review("s3", agree("AFIB")),
        ],
    )

    (lbbb,) = result.specialist_votes.added
    assert (lbbb.code, lbbb.votes, lbbb.reviewers, lbbb.status) == ("LBBB", 2, 3, "confirmed")
    assert result.present_codes == {"AFIB", "LBBB"}
    assert result.reading_agreed is False


def test_missed_finding_added_by_a_minority_is_kept_but_absent() -> None:
    result = consensus(
        {"AFIB"},
        [
            review("s1", agree("AFIB"), added("LBBB")),
            review("s2", agree("AFIB")),
            review("s3", agree("AFIB")),
        ],
    )

    (lbbb,) = result.specialist_votes.added
    assert (lbbb.votes, lbbb.status) == (1, "rejected")
    assert result.presence("LBBB") == "absent"
    assert result.reading_agreed is True


def test_adding_and_correcting_to_the_same_code_counts_one_vote() -> None:
    result = consensus({"AFIB"}, [review("s1", modify("AFIB", "AFL"), added("AFL"))])

    (afl,) = result.specialist_votes.added
    assert (afl.votes, afl.reviewers, afl.status) == (1, 1, "confirmed")


def test_no_reviews_leave_everything_unreviewed() -> None:
    result = consensus({"AFIB"}, [])

    assert result.specialist_votes.finding("AFIB").status == "unreviewed"
    assert result.specialist_votes.finding("AFIB").votes == Votes()
    assert result.reading_agreed is None
    assert result.present_codes == frozenset()
    assert result.presence("AFIB") == "undecided"
    assert result.presence("LBBB") == "undecided"
    assert not result.has_specialist_review


def test_only_non_specialist_reviews_give_no_consensus() -> None:
    result = consensus({"AFIB"}, [review("gp1", agree("AFIB"), specialist=False)])

    assert result.reading_agreed is None
    assert result.specialist_votes.finding("AFIB").status == "unreviewed"
    assert result.non_specialist_votes.finding("AFIB").status == "confirmed"


def test_a_finding_no_specialist_judged_is_unreviewed_and_not_agreed() -> None:
    result = consensus({"AFIB", "LBBB"}, [review("s1", agree("AFIB"))])

    assert result.specialist_votes.finding("LBBB").status == "unreviewed"
    assert result.presence("LBBB") == "undecided"
    assert result.reading_agreed is False


def test_empty_ai_reading_with_nothing_added_is_agreed() -> None:
    result = consensus([], [review("s1"), review("s2")])

    assert result.specialist_votes.findings == ()
    assert result.reading_agreed is True
    assert result.present_codes == frozenset()


def test_unknown_code_raises_key_error() -> None:
    with pytest.raises(KeyError):
        consensus({"AFIB"}, []).specialist_votes.finding("LBBB")


@pytest.mark.parametrize(
    ("supporting", "total", "expected"),
    [(0, 0, "unreviewed"), (2, 3, "confirmed"), (1, 3, "rejected"), (2, 4, "disputed")],
)
def test_majority_status(supporting: int, total: int, expected: str) -> None:
    assert majority_status(supporting, total) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"finding_code": " ", "verdict": "agree"}, "finding_code must not be empty"),
        ({"finding_code": "AFIB", "verdict": "maybe"}, "verdict must be one of"),
        ({"finding_code": "AFIB", "verdict": "modify"}, "needs a corrected_code"),
        (
            {"finding_code": "AFIB", "verdict": "modify", "corrected_code": "AFIB"},
            "corrects it to itself",
        ),
        (
            {"finding_code": "AFIB", "verdict": "agree", "corrected_code": "AFL"},
            "only allowed with 'modify'",
        ),
    ],
)
def test_invalid_feedback_raises(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FindingFeedback(**kwargs)  # type: ignore[arg-type]


def test_invalid_reviews_raise() -> None:
    with pytest.raises(ValueError, match="reviewer_id must not be empty"):
        review("")
    with pytest.raises(ValueError, match="must be timezone-aware"):
        Review("s1", True, (), datetime(2026, 11, 2, 9, 0))
    with pytest.raises(ValueError, match=r"judges \['AFIB'\] more than once"):
        review("s1", agree("AFIB"), disagree("AFIB"))


@pytest.mark.parametrize(
    ("ai_codes", "feedback", "message"),
    [
        ({"AFIB"}, agree("LBBB"), "which the AI did not state; use 'added'"),
        ({"AFIB"}, modify("LBBB", "RBBB"), "which the AI did not state"),
        ({"AFIB"}, added("AFIB"), "which the AI already stated"),
        ({""}, None, "must not contain an empty code"),
    ],
)
def test_feedback_inconsistent_with_the_ai_reading_raises(
    ai_codes: set[str], feedback: FindingFeedback | None, message: str
) -> None:
    reviews = [review("s1", feedback)] if feedback else []
    with pytest.raises(ValueError, match=message):
        consensus(ai_codes, reviews)
