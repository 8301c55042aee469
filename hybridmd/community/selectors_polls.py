"""Reading polls and surveys: results, the survey list, the anonymous CSV export.

A poll's per-option counts are shown to a member only after they voted or once the
poll is closed; ``poll_results`` applies that rule itself so no caller can leak them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from hybridmd.community.models import (
    Poll,
    PollBallot,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Visibility,
)

AnyUser = AbstractBaseUser | AnonymousUser

# A spreadsheet runs a cell starting with these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHOICE_SEPARATOR = "; "


@dataclass(frozen=True)
class OptionResult:
    id: int
    label: str
    count: int | None  # None while the results are hidden from this member
    percent: int | None
    chosen: bool


@dataclass(frozen=True)
class PollResults:
    poll: Poll
    options: list[OptionResult]
    total_ballots: int
    voted: bool
    is_closed: bool
    results_visible: bool


def poll_for_voting(poll_id: int) -> Poll | None:
    """A poll on a visible post, or None."""
    return (
        Poll.objects.select_related("post")
        .filter(pk=poll_id, post__status=Visibility.VISIBLE)
        .first()
    )


def poll_for_display(poll_id: int) -> Poll | None:
    """A poll whose post was not removed (hidden posts stay readable for their reviewers)."""
    return (
        Poll.objects.select_related("post")
        .filter(pk=poll_id)
        .exclude(post__status=Visibility.REMOVED)
        .first()
    )


def _percent(count: int, total: int) -> int:
    return (count * 100 + total // 2) // total if total else 0


def poll_results(poll: Poll, *, viewer: AnyUser | None = None) -> PollResults:
    """Counts per option (share of ballots, so several-answer polls may exceed 100% in sum).

    Three queries whatever the number of options or ballots.
    """
    options = list(poll.options.annotate(votes=Count("choices")).order_by("position", "pk"))
    total = PollBallot.objects.filter(poll=poll).count()
    mine: set[int] = set()
    voted = False
    if viewer is not None and viewer.is_authenticated:
        rows = PollBallot.objects.filter(poll=poll, voter_id=viewer.pk).values_list(
            "choices__option_id", flat=True
        )
        for option_id in rows:
            voted = True
            if option_id is not None:
                mine.add(option_id)
    closed = poll.is_closed
    visible = voted or closed
    return PollResults(
        poll=poll,
        options=[
            OptionResult(
                id=option.pk,
                label=option.label,
                count=option.votes if visible else None,
                percent=_percent(option.votes, total) if visible else None,
                chosen=option.pk in mine,
            )
            for option in options
        ],
        total_ballots=total,
        voted=voted,
        is_closed=closed,
        results_visible=visible,
    )


# --- Surveys ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    responded: bool
    responses: int


def survey_get(survey_id: int) -> Survey | None:
    return Survey.objects.filter(pk=survey_id).first()


def survey_list(*, viewer: AnyUser) -> list[SurveyRow]:
    """Every survey, open ones first, with whether ``viewer`` answered and how many did."""
    surveys = Survey.objects.annotate(
        responded=Exists(
            SurveyResponse.objects.filter(survey=OuterRef("pk"), respondent_id=viewer.pk)
        ),
        response_count=Count("responses"),
    ).order_by("-created_at", "-pk")[:200]
    rows = [
        SurveyRow(survey=survey, responded=survey.responded, responses=survey.response_count)
        for survey in surveys
    ]
    return sorted(rows, key=lambda row: row.survey.is_closed)


def survey_has_responded(survey: Survey, user: AnyUser) -> bool:
    return SurveyResponse.objects.filter(survey=survey, respondent_id=user.pk).exists()


def survey_response_count(survey: Survey) -> int:
    return SurveyResponse.objects.filter(survey=survey).count()


def survey_questions(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("position", "pk"))


@dataclass(frozen=True)
class ChoiceCount:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class QuestionResults:
    question: SurveyQuestion
    answered: int
    choices: list[ChoiceCount]
    texts: list[str]


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResults]


def survey_results(survey: Survey) -> SurveyResults:
    """Per question: how many chose each option (share of all responses), or the texts."""
    questions = survey_questions(survey)
    responses = survey_response_count(survey)
    answers = SurveyAnswer.objects.filter(response__survey=survey).order_by("response_id")
    chosen: dict[int, Counter[str]] = {question.pk: Counter() for question in questions}
    texts: dict[int, list[str]] = {question.pk: [] for question in questions}
    answered: Counter[int] = Counter()
    for answer in answers.only("question_id", "choices", "text"):
        answered[answer.question_id] += 1
        if answer.text:
            texts.setdefault(answer.question_id, []).append(answer.text)
        chosen.setdefault(answer.question_id, Counter()).update(answer.choices or [])
    results = []
    for question in questions:
        counts = chosen[question.pk]
        results.append(
            QuestionResults(
                question=question,
                answered=answered[question.pk],
                choices=[
                    ChoiceCount(
                        label=label,
                        count=counts[label],
                        percent=_percent(counts[label], responses),
                    )
                    for label in question.options
                ],
                texts=texts[question.pk],
            )
        )
    return SurveyResults(survey=survey, responses=responses, questions=results)


def spreadsheet_safe(value: str) -> str:
    """Quote a cell a spreadsheet would otherwise evaluate as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def survey_csv(survey: Survey) -> str:
    """One row per response, one column per question, in submission order.

    Anonymous: no names, emails or times, only a sequence number. Several choices are
    joined with "; ". Every cell is guarded against formula injection.
    """
    questions = survey_questions(survey)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [spreadsheet_safe(_("Response no."))]
        + [spreadsheet_safe(question.text) for question in questions]
    )
    responses = (
        SurveyResponse.objects.filter(survey=survey)
        .order_by("submitted_at", "pk")
        .prefetch_related("answers")
        .only("pk")
    )
    for number, response in enumerate(responses, start=1):
        by_question = {answer.question_id: answer for answer in response.answers.all()}
        row = [str(number)]
        for question in questions:
            answer = by_question.get(question.pk)
            if answer is None:
                cell = ""
            elif question.kind == SurveyQuestion.Kind.TEXT:
                cell = answer.text
            else:
                cell = CHOICE_SEPARATOR.join(answer.choices or [])
            row.append(spreadsheet_safe(cell))
        writer.writerow(row)
    return buffer.getvalue()
