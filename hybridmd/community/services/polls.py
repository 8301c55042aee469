"""Polls on posts and staff surveys: creating them, voting and responding, exporting.

One ballot per member per poll and one response per member per survey are enforced by
the database's unique constraints; the services turn a collision into ``AlreadyVoted``
or ``AlreadyResponded`` (409) and write nothing else. Platform staff for surveys are the
holders of ``community.moderate`` (moderators and administrators).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User
from hybridmd.audit import services as audit
from hybridmd.community import selectors_polls as selectors
from hybridmd.community.errors import ConflictError
from hybridmd.community.models import (
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    Post,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

SURVEY_STAFF = "community.moderate"

POLL_QUESTION_MAX = 200
POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 10
OPTION_LABEL_MAX = 120
SURVEY_TITLE_MAX = 200
SURVEY_DESCRIPTION_MAX = 5_000
SURVEY_QUESTIONS_MAX = 30
SURVEY_QUESTION_MAX = 300
SURVEY_OPTIONS_MAX = 20
TEXT_ANSWER_MAX = 2_000


# The names are the contract callers were given; ConflictError is what maps to 409.
class AlreadyVoted(ConflictError):  # noqa: N818
    """The member already has a ballot in this poll (HTTP 409)."""

    def __init__(self) -> None:
        super().__init__(_("You have already voted in this poll."), code="already_voted")


class AlreadyResponded(ConflictError):  # noqa: N818
    """The member already answered this survey (HTTP 409)."""

    def __init__(self) -> None:
        super().__init__(_("You have already answered this survey."), code="already_responded")


@dataclass(frozen=True)
class QuestionSpec:
    """One survey question as the staff member wrote it."""

    text: str
    kind: str
    options: tuple[str, ...] = ()
    required: bool = True


def _future(closes_at: datetime | None, message: str) -> None:
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": ValidationError(message, code="past")})


def _text(value: str, *, field: str, limit: int, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("%(label)s cannot be empty.") % {"label": label}})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("%(label)s is %(length)s characters long; the limit is %(limit)s.")
                % {"label": label, "length": len(value), "limit": limit}
            }
        )
    return value


def clean_options(raw: Sequence[str], *, maximum: int) -> list[str]:
    """Between two and ``maximum`` distinct, non-empty labels of at most 120 characters."""
    labels = [label.strip() for label in raw]
    if any(not label for label in labels):
        raise ValidationError(_("An option cannot be empty."), code="empty_option")
    if len(labels) < POLL_OPTIONS_MIN:
        raise ValidationError(_("Give at least two options."), code="too_few_options")
    if len(labels) > maximum:
        raise ValidationError(
            _("Give at most %(n)s options.") % {"n": maximum}, code="too_many_options"
        )
    for label in labels:
        if len(label) > OPTION_LABEL_MAX:
            raise ValidationError(
                _("The option “%(label)s…” is longer than %(n)s characters.")
                % {"label": label[:20], "n": OPTION_LABEL_MAX},
                code="long_option",
            )
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            raise ValidationError(
                _("The option “%(label)s” is given twice.") % {"label": label},
                code="duplicate_option",
            )
        seen.add(label.casefold())
    return labels


@transaction.atomic
def poll_create(
    *,
    post: Post,
    question: str,
    options: list[str],
    multiple: bool,
    closes_at: datetime | None,
    creator: User | None = None,
) -> Poll:
    """Attach a poll to ``post``; only its author may, and only on a board that allows polls.

    ``creator`` is who asks; left out, it is the post's author (the call made while the
    author creates the post). Views should pass the signed-in user.
    """
    if creator is None:
        creator = post.author
    permissions.require(
        creator, permissions.COMMUNITY_VIEW, message=_("Only verified physicians can add polls.")
    )
    if post.author_id != creator.pk:
        raise PermissionDenied(_("Only the author of a post can add a poll to it."))
    if not post.board.allows_polls:
        raise ValidationError(_("This board does not allow polls."), code="polls_not_allowed")
    question = _text(
        question, field="question", limit=POLL_QUESTION_MAX, label=_("The poll question")
    )
    try:
        labels = clean_options(options, maximum=POLL_OPTIONS_MAX)
    except ValidationError as exc:
        raise ValidationError(
            {"options": [_("Poll options: %(problem)s") % {"problem": m} for m in exc.messages]}
        ) from exc
    _future(closes_at, _("The poll's closing time must be in the future."))
    try:
        with transaction.atomic():
            poll = Poll.objects.create(
                post=post, question=question, multiple=multiple, closes_at=closes_at
            )
    except IntegrityError as exc:
        raise ValidationError(_("This post already has a poll."), code="has_poll") from exc
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, position=index) for index, label in enumerate(labels)
    )
    audit.record(
        creator, "community.poll_created", poll, detail={"post": post.pk, "options": len(labels)}
    )
    return poll


@transaction.atomic
def poll_vote(*, poll_id: int, voter: User, option_ids: list[int]) -> PollBallot:
    """Cast the member's one ballot. Nothing is written unless every check passes."""
    permissions.require(
        voter, permissions.COMMUNITY_VIEW, message=_("Only verified physicians can vote.")
    )
    poll = selectors.poll_for_voting(poll_id)
    if poll is None:
        raise Http404
    if poll.is_closed:
        raise ValidationError(_("This poll is closed."), code="closed")
    chosen = list(dict.fromkeys(option_ids))
    if not chosen:
        raise ValidationError(_("Choose an option before voting."), code="no_choice")
    if not poll.multiple and len(chosen) != 1:
        raise ValidationError(_("Choose exactly one option in this poll."), code="one_choice")
    valid = set(PollOption.objects.filter(poll=poll, pk__in=chosen).values_list("pk", flat=True))
    if valid != set(chosen):
        raise ValidationError(_("That option is not part of this poll."), code="invalid_option")
    try:
        with transaction.atomic():
            ballot = PollBallot.objects.create(poll=poll, voter=voter)
    except IntegrityError as exc:
        raise AlreadyVoted from exc
    PollChoice.objects.bulk_create(PollChoice(ballot=ballot, option_id=pk) for pk in chosen)
    audit.record(voter, "community.poll_voted", poll, detail={"ballot": ballot.pk})
    return ballot


def _question(spec: QuestionSpec, number: int) -> SurveyQuestion:
    def problem(message: str) -> ValidationError:
        return ValidationError(
            {"questions": _("Question %(n)s: %(problem)s") % {"n": number, "problem": message}}
        )

    text = spec.text.strip()
    if not text:
        raise problem(_("the question text is empty."))
    if len(text) > SURVEY_QUESTION_MAX:
        raise problem(_("the text is longer than %(n)s characters.") % {"n": SURVEY_QUESTION_MAX})
    if spec.kind not in SurveyQuestion.Kind.values:
        raise problem(_("the kind must be single, multiple or text."))
    options: list[str] = []
    if spec.kind == SurveyQuestion.Kind.TEXT:
        if spec.options:
            raise problem(_("a free-text question takes no options."))
    else:
        try:
            options = clean_options(spec.options, maximum=SURVEY_OPTIONS_MAX)
        except ValidationError as exc:
            raise problem(" ".join(exc.messages)) from exc
    return SurveyQuestion(
        text=text, kind=spec.kind, options=options, required=spec.required, position=number
    )


@transaction.atomic
def survey_create(
    *,
    creator: User,
    title: str,
    description: str,
    closes_at: datetime | None,
    questions: Sequence[QuestionSpec],
) -> Survey:
    """Platform staff (``community.moderate``) publish a survey to verified members."""
    permissions.require(creator, SURVEY_STAFF)
    title = _text(title, field="title", limit=SURVEY_TITLE_MAX, label=_("The title"))
    description = _text(
        description,
        field="description",
        limit=SURVEY_DESCRIPTION_MAX,
        label=_("The description"),
        required=False,
    )
    _future(closes_at, _("The survey's closing time must be in the future."))
    if not questions:
        raise ValidationError({"questions": _("Add at least one question.")})
    if len(questions) > SURVEY_QUESTIONS_MAX:
        raise ValidationError(
            {"questions": _("A survey has at most %(n)s questions.") % {"n": SURVEY_QUESTIONS_MAX}}
        )
    rows = [_question(spec, number) for number, spec in enumerate(questions, start=1)]
    survey = Survey.objects.create(
        title=title, description=description, closes_at=closes_at, created_by=creator
    )
    for row in rows:
        row.survey = survey
    SurveyQuestion.objects.bulk_create(rows)
    audit.record(creator, "community.survey_created", survey, detail={"questions": len(rows)})
    return survey


def question_field(question: SurveyQuestion) -> str:
    """The form field (and error key) for a question."""
    return f"question_{question.pk}"


def _answer(question: SurveyQuestion, value: list[str] | str | None) -> SurveyAnswer | None:
    """The answer to store (None when an optional question is left empty), or raise."""
    field = question_field(question)
    if question.kind == SurveyQuestion.Kind.TEXT:
        if isinstance(value, list):
            raise ValidationError({field: _("Write the answer as text.")})
        text = (value or "").strip()
        if len(text) > TEXT_ANSWER_MAX:
            raise ValidationError(
                {field: _("Keep the answer under %(n)s characters.") % {"n": TEXT_ANSWER_MAX}}
            )
        if not text:
            if question.required:
                raise ValidationError({field: _("This question needs an answer.")})
            return None
        return SurveyAnswer(question=question, text=text)
    given = [value] if isinstance(value, str) else list(value or [])
    chosen = list(dict.fromkeys(choice for choice in given if choice))
    if not chosen:
        if question.required:
            raise ValidationError({field: _("This question needs an answer.")})
        return None
    if question.kind == SurveyQuestion.Kind.SINGLE and len(chosen) != 1:
        raise ValidationError({field: _("Choose exactly one option.")})
    if any(choice not in question.options for choice in chosen):
        raise ValidationError({field: _("Choose among the options given.")})
    return SurveyAnswer(question=question, choices=chosen)


@transaction.atomic
def survey_respond(
    *, survey_id: int, respondent: User, answers: Mapping[int, list[str] | str]
) -> SurveyResponse:
    """Store the member's one response; every error is reported against its question."""
    permissions.require(
        respondent,
        permissions.COMMUNITY_VIEW,
        message=_("Only verified physicians can answer surveys."),
    )
    survey = selectors.survey_get(survey_id)
    if survey is None:
        raise Http404
    if survey.is_closed:
        raise ValidationError(_("This survey is closed."), code="closed")
    questions = list(survey.questions.all())
    if set(answers) - {question.pk for question in questions}:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("An answer refers to a question not in this survey.")}
        )
    errors: dict[str, list[str]] = {}
    rows: list[SurveyAnswer] = []
    for question in questions:
        try:
            row = _answer(question, answers.get(question.pk))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            continue
        if row is not None:
            rows.append(row)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=survey, respondent=respondent)
    except IntegrityError as exc:
        raise AlreadyResponded from exc
    for row in rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(rows)
    audit.record(respondent, "community.survey_responded", survey, detail={"response": response.pk})
    return response


@transaction.atomic
def survey_export(*, survey_id: int, actor: User) -> str:
    """The anonymous CSV of every response, for staff; each export is audited."""
    permissions.require(actor, SURVEY_STAFF)
    survey = selectors.survey_get(survey_id)
    if survey is None:
        raise Http404
    text = selectors.survey_csv(survey)
    audit.record(
        actor,
        "community.survey_exported",
        survey,
        detail={"responses": selectors.survey_response_count(survey)},
    )
    return text
