"""The answer-rate dashboard: numbers on a small known dataset, the page, its query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import include, path, reverse
from django.utils import timezone

from hybridmd.accounts.models import Specialty
from hybridmd.community import selectors_dashboard
from hybridmd.community.models import Board
from hybridmd.community.tests.factories import PostFactory, board, verified_user

urlpatterns = [
    path("community/", include("hybridmd.community.urls_notifications")),
    path("", include("hybridmd.config.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.urls(__name__)]


def _question(now, *, days_ago: float, answered_after_hours: float | None = None, **kwargs):
    created = now - timedelta(days=days_ago)
    kwargs.setdefault("board", board("qna"))
    if answered_after_hours is not None:
        kwargs.update(
            answer_count=1, first_answer_at=created + timedelta(hours=answered_after_hours)
        )
    return PostFactory(created_at=created, **kwargs)


@pytest.fixture
def dataset():
    now = timezone.now()
    card = Specialty.objects.get(code="IM-CARD")
    rad = Specialty.objects.get(code="RAD")
    posts = {
        "card_2h": _question(now, days_ago=10, answered_after_hours=2, specialty=card),
        "card_4h": _question(now, days_ago=5, answered_after_hours=4, specialty=card),
        "rad_waiting": _question(now, days_ago=3, specialty=rad, title="흉부 X-ray 결절"),
        "rad_fresh": _question(now, days_ago=0.1, specialty=rad),
        "cases_10h": _question(
            now, days_ago=40, answered_after_hours=10, specialty=card, board=board("cases")
        ),
        "cases_old_waiting": _question(
            now, days_ago=60, board=board("cases"), title="오래된 ECG 질문"
        ),
        "too_old": _question(now, days_ago=400, answered_after_hours=1),
    }
    _question(now, days_ago=2, specialty=card, status="removed")  # not counted
    _question(now, days_ago=2, specialty=card, board=board("papers"))  # not a question board
    return now, posts


def _row(rows, label):
    (row,) = [r for r in rows if r.label == label]
    return row


def test_numbers_over_30_days(dataset):
    now, posts = dataset
    rate = selectors_dashboard.answer_rate(days=30, now=now)
    total = rate.total
    assert (total.questions, total.answered) == (4, 2)
    assert total.answered_percent == 50.0
    assert total.median_hours == 3.0
    assert total.waiting == 1
    assert [q.title for q in total.oldest] == ["흉부 X-ray 결절"]
    assert total.oldest[0].url == f"/community/p/{posts['rad_waiting'].public_id}/"
    assert total.oldest[0].hours_waiting == 72
    assert rate.meets_promise is False

    qna = _row(rate.by_board, board("qna").name)
    assert (qna.questions, qna.answered, qna.waiting) == (4, 2, 1)
    cases = _row(rate.by_board, board("cases").name)
    assert (cases.questions, cases.answered_percent, cases.median_hours) == (0, None, None)
    assert {r.label for r in rate.by_board} == {
        b.name for b in Board.objects.filter(kind="question")
    }

    cardiology = _row(rate.by_specialty, Specialty.objects.get(code="IM-CARD").name)
    assert (cardiology.questions, cardiology.answered_percent) == (2, 100.0)
    assert cardiology.median_hours == 3.0
    radiology = _row(rate.by_specialty, Specialty.objects.get(code="RAD").name)
    assert (radiology.questions, radiology.answered, radiology.waiting) == (2, 0, 1)
    assert radiology.answered_percent == 0.0
    assert radiology.median_hours is None


def test_numbers_over_90_and_365_days(dataset):
    now, _ = dataset
    rate = selectors_dashboard.answer_rate(days=90, now=now)
    assert (rate.total.questions, rate.total.answered) == (6, 3)
    assert rate.total.median_hours == 4.0
    assert rate.total.waiting == 2
    assert [q.title for q in rate.total.oldest] == ["오래된 ECG 질문", "흉부 X-ray 결절"]
    no_specialty = _row(rate.by_specialty, "No specialty")
    assert (no_specialty.questions, no_specialty.waiting) == (1, 1)
    assert rate.by_specialty[0].questions >= rate.by_specialty[-1].questions

    year = selectors_dashboard.answer_rate(days=365, now=now)
    assert year.total.questions == 6  # the 400-day-old question is outside


def test_promise_is_kept_when_98_percent_are_answered():
    now = timezone.now()
    for _ in range(49):
        _question(now, days_ago=1, answered_after_hours=1)
    _question(now, days_ago=0.5)
    rate = selectors_dashboard.answer_rate(days=30, now=now)
    assert rate.total.answered_percent == 98.0
    assert rate.meets_promise is True
    empty = selectors_dashboard.answer_rate(days=30, now=now - timedelta(days=400))
    assert empty.total.answered_percent is None
    assert empty.meets_promise is None


@pytest.mark.parametrize(
    ("raw", "days"), [(None, 90), ("30", 30), ("365", 365), ("7", 90), ("x", 90), ("", 90)]
)
def test_period_choice(raw, days):
    assert selectors_dashboard.period_days(raw) == days


def test_dashboard_page(client, dataset):
    _, posts = dataset
    client.force_login(verified_user(user__language="en"))
    page = client.get(reverse("answer_rate_dashboard"), {"days": "30"}).content.decode()
    assert "50.0%" in page
    assert "98%" in page
    assert "흉부 X-ray 결절" in page
    assert f"/community/p/{posts['rad_waiting'].public_id}/" in page
    assert "오래된 ECG 질문" not in page
    assert "오래된 ECG 질문" in client.get(reverse("answer_rate_dashboard")).content.decode()


def test_dashboard_needs_login(client):
    response = client.get(reverse("answer_rate_dashboard"))
    assert response.status_code == 302


def test_dashboard_query_count_is_constant(client, django_assert_max_num_queries):
    client.force_login(verified_user())
    now = timezone.now()
    card = Specialty.objects.get(code="IM-CARD")
    _question(now, days_ago=3, specialty=card, answered_after_hours=1)
    _question(now, days_ago=3)
    with django_assert_max_num_queries(8) as small:
        assert client.get(reverse("answer_rate_dashboard")).status_code == 200
    for code in ("RAD", "IM-GI", "FM"):
        specialty = Specialty.objects.get(code=code)
        for days in (2, 5, 20):
            _question(now, days_ago=days, specialty=specialty)
            _question(
                now,
                days_ago=days,
                specialty=specialty,
                answered_after_hours=days,
                board=board("cases"),
            )
    with django_assert_max_num_queries(8) as large:
        assert client.get(reverse("answer_rate_dashboard")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
