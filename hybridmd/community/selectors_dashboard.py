"""The answer-rate dashboard: are questions answered, how fast, and which are waiting.

Counted: visible posts on question boards asked in the chosen period (30, 90 or 365
days). "Answered" means at least one visible answer (``answer_count > 0``); questions
asked minutes ago count as not yet answered. The median time to a first answer is over
answered questions with a recorded ``first_answer_at``. "Waiting" questions are
unanswered and older than 24 hours (within the period), oldest first.

Four queries whatever the data size: the period's questions as value rows, the waiting
ones with their titles, the question boards and the specialties; the rest is Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hybridmd.accounts.models import Specialty
from hybridmd.community.models import Board, Post, Visibility
from hybridmd.community.selectors_notifications import post_path

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
PROMISE_PERCENT = 98.0
WAITING_AFTER = timedelta(hours=24)
OLDEST_SHOWN = 3
OLDEST_SHOWN_TOTAL = 5


def period_days(raw: str | None) -> int:
    """The period asked for in the query string, or the default."""
    try:
        days = int(raw or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


@dataclass(frozen=True)
class WaitingQuestion:
    title: str
    url: str
    created_at: datetime
    hours_waiting: int


@dataclass
class RateRow:
    label: str
    questions: int = 0
    answered: int = 0
    hours_to_first_answer: list[float] = field(default_factory=list)
    waiting: int = 0
    oldest: list[WaitingQuestion] = field(default_factory=list)

    @property
    def answered_percent(self) -> float | None:
        if not self.questions:
            return None
        return round(100 * self.answered / self.questions, 1)

    @property
    def median_hours(self) -> float | None:
        if not self.hours_to_first_answer:
            return None
        return round(statistics.median(self.hours_to_first_answer), 1)

    def count(self, row: Mapping[str, Any]) -> None:
        self.questions += 1
        if row["answer_count"] > 0:
            self.answered += 1
            if row["first_answer_at"] is not None:
                hours = (row["first_answer_at"] - row["created_at"]).total_seconds() / 3600
                self.hours_to_first_answer.append(max(hours, 0.0))

    def wait(self, question: WaitingQuestion, shown: int) -> None:
        self.waiting += 1
        if len(self.oldest) < shown:
            self.oldest.append(question)


@dataclass(frozen=True)
class AnswerRate:
    days: int
    since: datetime
    total: RateRow
    by_board: list[RateRow]
    by_specialty: list[RateRow]
    promise_percent: float = PROMISE_PERCENT

    @property
    def meets_promise(self) -> bool | None:
        percent = self.total.answered_percent
        return None if percent is None else percent >= self.promise_percent


def answer_rate(*, days: int = DEFAULT_PERIOD, now: datetime | None = None) -> AnswerRate:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    questions = Post.objects.filter(
        board__kind=Board.Kind.QUESTION,
        status=Visibility.VISIBLE,
        created_at__gte=since,
        created_at__lte=now,
    )
    rows = list(
        questions.order_by().values(
            "board_id", "specialty_id", "created_at", "answer_count", "first_answer_at"
        )
    )
    waiting_rows = list(
        questions.filter(answer_count=0, created_at__lt=now - WAITING_AFTER)
        .order_by("created_at", "pk")
        .values("board_id", "specialty_id", "created_at", "title", "public_id")
    )
    boards = list(Board.objects.filter(kind=Board.Kind.QUESTION).order_by("sort_order"))
    specialty_names = {s.pk: s.name for s in Specialty.objects.all()}

    total = RateRow(label=_("All question boards"))
    by_board = {board.pk: RateRow(label=board.name) for board in boards}
    by_specialty: dict[int | None, RateRow] = defaultdict(lambda: RateRow(label=""))
    for row in rows:
        total.count(row)
        if row["board_id"] in by_board:
            by_board[row["board_id"]].count(row)
        by_specialty[row["specialty_id"]].count(row)
    for waiting in waiting_rows:
        question = WaitingQuestion(
            title=waiting["title"],
            url=post_path(waiting["public_id"]),
            created_at=waiting["created_at"],
            hours_waiting=int((now - waiting["created_at"]).total_seconds() // 3600),
        )
        total.wait(question, OLDEST_SHOWN_TOTAL)
        if waiting["board_id"] in by_board:
            by_board[waiting["board_id"]].wait(question, OLDEST_SHOWN)
        by_specialty[waiting["specialty_id"]].wait(question, OLDEST_SHOWN)
    for specialty_id, rate_row in by_specialty.items():
        rate_row.label = (
            specialty_names.get(specialty_id, "") if specialty_id else _("No specialty")
        )
    return AnswerRate(
        days=days,
        since=since,
        total=total,
        by_board=list(by_board.values()),
        by_specialty=sorted(by_specialty.values(), key=lambda r: (-r.questions, r.label)),
    )
