"""Wilson intervals, track records and summary lines, checked against hand-computed values."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybridmd.engines.ai.feedback import Consensus, FindingFeedback, Review, consensus
from hybridmd.engines.ai.track_record import (
    MonthlyAgreement,
    Proportion,
    ReviewedReading,
    TrackRecord,
    summary_line,
    track_record,
    whole_percent,
    wilson_interval,
)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe RG, Stat Med 1998;17:857-872, table I (method 3, score without correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_matches_published_values(
    successes: int, n: int, low: float, high: float
) -> None:
    assert wilson_interval(successes, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_without_data_is_the_whole_range() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_narrows_with_smaller_z() -> None:
    low95, high95 = wilson_interval(81, 263)
    low90, high90 = wilson_interval(81, 263, z=1.6448536269514722)
    assert low95 < low90 < high90 < high95


@pytest.mark.parametrize(
    ("successes", "n", "z", "message"),
    [
        (0, -1, 1.96, "n must be >= 0"),
        (-1, 10, 1.96, "successes must be between 0 and n=10"),
        (11, 10, 1.96, "successes must be between 0 and n=10"),
        (1, 10, 0.0, "z must be a positive finite number"),
        (1, 10, float("nan"), "z must be a positive finite number"),
        (1, 10, float("inf"), "z must be a positive finite number"),
    ],
)
def test_wilson_interval_rejects_invalid_arguments(
    successes: int, n: int, z: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(successes, n, z)


@given(
    n=st.integers(min_value=1, max_value=10**7),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    z=st.floats(min_value=0.01, max_value=6.0),
)
def test_wilson_interval_contains_the_estimate_within_unit_range(
    n: int, fraction: float, z: float
) -> None:
    successes = round(fraction * n)
    low, high = wilson_interval(successes, n, z)
    assert 0.0 <= low <= successes / n <= high <= 1.0


def test_proportion() -> None:
    assert Proportion(3, 4).estimate == 0.75
    assert Proportion(3, 4).interval == wilson_interval(3, 4)
    assert Proportion(0, 0).estimate is None
    assert Proportion(0, 0).interval == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes must be between 0 and 4, got 5"):
        Proportion(5, 4)


def verdicts(ai_codes: set[str], *per_specialist: tuple[FindingFeedback, ...]) -> Consensus:
    reviews = [Review(f"s{i}", True, fb, T0) for i, fb in enumerate(per_specialist)]
    return consensus(ai_codes, reviews)


def five_readings() -> list[ReviewedReading]:
    """By hand, per code (TP FP FN TN indeterminate):

    r1 2026-09 AI {AFIB}: agreed                     AFIB TP, LBBB TN, AFL TN
    r2 2026-09 AI {AFIB, LBBB}: LBBB rejected        AFIB TP, LBBB FP, AFL TN
    r3 2026-10 AI {}: nothing added, agreed          AFIB TN, LBBB TN, AFL TN
    r4 2026-10 AI {AFIB}: AFIB -> AFL, LBBB added    AFIB FP, LBBB FN, AFL FN
    r5 2026-10 AI {LBBB}: 1 agree, 1 disagree        AFIB TN, LBBB ind, AFL TN
    r6 2026-11 AI {AFIB}: non-specialist only        not counted
    """
    agree_afib = FindingFeedback("AFIB", "agree")
    gp_review = Review("gp", False, (agree_afib,), T0)
    return [
        ReviewedReading(
            "r5",
            "2026-10",
            verdicts(
                {"LBBB"},
                (FindingFeedback("LBBB", "agree"),),
                (FindingFeedback("LBBB", "disagree"),),
            ),
        ),
        ReviewedReading("r1", "2026-09", verdicts({"AFIB"}, (agree_afib,))),
        ReviewedReading(
            "r2",
            "2026-09",
            verdicts({"AFIB", "LBBB"}, (agree_afib, FindingFeedback("LBBB", "disagree"))),
        ),
        ReviewedReading("r3", "2026-10", verdicts(set(), ())),
        ReviewedReading(
            "r4",
            "2026-10",
            verdicts(
                {"AFIB"},
                (
                    FindingFeedback("AFIB", "modify", corrected_code="AFL"),
                    FindingFeedback("LBBB", "added"),
                ),
            ),
        ),
        ReviewedReading("r6", "2026-11", consensus({"AFIB"}, [gp_review])),
    ]


def test_track_record_of_five_readings_computed_by_hand() -> None:
    record = track_record(five_readings(), vocabulary=["AFIB", "LBBB", "RBBB"])

    assert (record.reviewed, record.agreed) == (5, 2)
    assert record.agreement.estimate == pytest.approx(0.4)
    assert record.agreement.interval == wilson_interval(2, 5)
    assert list(record.findings) == ["AFIB", "AFL", "LBBB", "RBBB"]

    def counts(code: str) -> tuple[int, int, int, int, int]:
        f = record.findings[code]
        return (
            f.true_positive,
            f.false_positive,
            f.false_negative,
            f.true_negative,
            f.indeterminate,
        )

    assert counts("AFIB") == (2, 1, 0, 2, 0)
    assert counts("LBBB") == (0, 1, 1, 2, 1)
    assert counts("AFL") == (0, 0, 1, 4, 0)
    assert counts("RBBB") == (0, 0, 0, 5, 0)

    afib = record.findings["AFIB"]
    assert (afib.positives, afib.negatives) == (2, 3)
    assert afib.sensitivity == Proportion(2, 2)
    assert afib.sensitivity.estimate == 1.0
    assert afib.sensitivity.interval == wilson_interval(2, 2)
    assert afib.specificity.estimate == pytest.approx(2 / 3)
    assert record.findings["LBBB"].sensitivity.estimate == 0.0
    assert record.findings["LBBB"].specificity.estimate == pytest.approx(2 / 3)
    assert record.findings["RBBB"].sensitivity.estimate is None
    assert record.findings["RBBB"].sensitivity.interval == (0.0, 1.0)
    assert record.findings["RBBB"].specificity.estimate == 1.0

    assert record.trend == (
        MonthlyAgreement("2026-09", Proportion(1, 2)),
        MonthlyAgreement("2026-10", Proportion(1, 3)),
    )
    assert [(m.month, m.reviewed, m.agreed) for m in record.trend] == [
        ("2026-09", 2, 1),
        ("2026-10", 3, 1),
    ]


def test_empty_track_record() -> None:
    record = track_record([], vocabulary=["AFIB"])

    assert (record.reviewed, record.agreed) == (0, 0)
    assert record.agreement.estimate is None
    assert record.agreement.interval == (0.0, 1.0)
    assert record.trend == ()
    assert record.findings["AFIB"].sensitivity.estimate is None
    assert record.findings["AFIB"].specificity.estimate is None
    assert summary_line(record, "en") == "Not yet reviewed by specialists"
    assert summary_line(record, "ko") == "아직 전문의 검토 없음"


def test_a_reading_counted_twice_raises() -> None:
    reading = five_readings()[1]
    with pytest.raises(ValueError, match=r"readings counted more than once: \['r1'\]"):
        track_record([reading, reading], vocabulary=[])


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-10", "2026-10-01", ""])
def test_reading_month_must_be_year_and_month(month: str) -> None:
    with pytest.raises(ValueError, match="month must be 'YYYY-MM'"):
        ReviewedReading("r1", month, consensus([], []))


def record_of(agreed: int, reviewed: int) -> TrackRecord:
    return TrackRecord(Proportion(agreed, reviewed), MappingProxyType({}), ())


def test_summary_line_of_the_issue_example() -> None:
    record = record_of(187, 203)
    assert summary_line(record, "en") == "Specialists agreed with 187 of 203 readings, 92% [88–95%]"
    assert summary_line(record, "ko") == "전문의 203건 중 187건 동의, 92% [88–95%]"


@pytest.mark.parametrize(
    ("agreed", "reviewed", "expected"),
    [
        (1, 1, "Specialists agreed with 1 of 1 reading, 100% [21–100%]"),
        (0, 3, "Specialists agreed with 0 of 3 readings, 0% [0–56%]"),
        # 99.5 % would round to 100 %, but not every reading was agreed.
        (199, 200, "Specialists agreed with 199 of 200 readings, 99% [97–100%]"),
        (1, 200, "Specialists agreed with 1 of 200 readings, 1% [0–3%]"),
        (1, 8, "Specialists agreed with 1 of 8 readings, 13% [2–47%]"),
    ],
)
def test_summary_line_rounding(agreed: int, reviewed: int, expected: str) -> None:
    assert summary_line(record_of(agreed, reviewed), "en") == expected


@pytest.mark.parametrize(("proportion", "percent"), [(0.125, 13), (0.145, 15), (0.9949, 99)])
def test_whole_percent_rounds_half_up(proportion: float, percent: int) -> None:
    assert whole_percent(proportion) == percent


def test_summary_line_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="language must be 'en' or 'ko'"):
        summary_line(record_of(1, 2), "fr")  # type: ignore[arg-type]
