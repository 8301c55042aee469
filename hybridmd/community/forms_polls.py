"""Forms for polls and surveys. They parse; the services decide (and check again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hybridmd.community.models import SurveyQuestion
from hybridmd.community.services.polls import (
    SURVEY_DESCRIPTION_MAX,
    SURVEY_OPTIONS_MAX,
    SURVEY_QUESTIONS_MAX,
    SURVEY_TITLE_MAX,
    TEXT_ANSWER_MAX,
    QuestionSpec,
    clean_options,
    question_field,
)

OPTIONAL_MARK = "?"
KINDS = tuple(SurveyQuestion.Kind.values)


def parse_option_ids(values: list[str]) -> list[int]:
    """The ids of the ticked options; anything but whole numbers is refused."""
    try:
        return [int(value) for value in values]
    except ValueError as exc:
        raise ValidationError(_("That option is not part of this poll."), code="invalid") from exc


def parse_questions(source: str) -> list[QuestionSpec]:
    """Read one question per line: ``kind | question | option 1; option 2``.

    ``kind`` is single, multiple or text; ``text?`` (any kind followed by "?") makes the
    question optional. Free-text questions take no options. Blank lines are skipped.
    Every problem names its line.
    """
    specs: list[QuestionSpec] = []
    for number, line in enumerate(source.splitlines(), start=1):
        if not line.strip():
            continue

        def problem(message: str, line_number: int = number) -> ValidationError:
            return ValidationError(
                _("Line %(n)s: %(problem)s") % {"n": line_number, "problem": message}
            )

        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or len(parts) > 3:
            raise problem(_("write it as “kind | question | option 1; option 2”."))
        kind, text = parts[0].lower(), parts[1]
        required = not kind.endswith(OPTIONAL_MARK)
        kind = kind.rstrip(OPTIONAL_MARK).strip()
        if kind not in KINDS:
            raise problem(
                _("“%(kind)s” is not a kind; use single, multiple or text.") % {"kind": parts[0]}
            )
        if not text:
            raise problem(_("the question text is empty."))
        options_part = parts[2] if len(parts) == 3 else ""
        options: list[str] = []
        if kind == SurveyQuestion.Kind.TEXT:
            if options_part:
                raise problem(_("a free-text question takes no options."))
        else:
            raw = [option.strip() for option in options_part.split(";")] if options_part else []
            if raw and not raw[-1]:
                raw.pop()  # a trailing ";" is harmless
            try:
                options = clean_options(raw, maximum=SURVEY_OPTIONS_MAX)
            except ValidationError as exc:
                raise problem(" ".join(exc.messages)) from exc
        specs.append(QuestionSpec(text=text, kind=kind, options=tuple(options), required=required))
    if not specs:
        raise ValidationError(_("Add at least one question."))
    if len(specs) > SURVEY_QUESTIONS_MAX:
        raise ValidationError(
            _("A survey has at most %(n)s questions.") % {"n": SURVEY_QUESTIONS_MAX}
        )
    return specs


QUESTIONS_HELP = gettext_lazy(
    "One question per line: kind | question | option 1; option 2. Kinds: single (one "
    "choice), multiple (several choices), text (free text, no options). Add ? after the "
    "kind to make a question optional, e.g. “text? | Anything else?”."
)


class SurveyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=SURVEY_TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=SURVEY_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes at"),
        required=False,
        help_text=gettext_lazy("Leave empty to keep the survey open."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    questions = forms.CharField(
        label=gettext_lazy("Questions"),
        help_text=QUESTIONS_HELP,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": "single | 근무 형태는? | 개원의; 봉직의; 전공의\n"
                "multiple | 사용하는 EMR은? | A; B; C\ntext? | 의견",
            }
        ),
    )

    def clean_questions(self) -> list[QuestionSpec]:
        return parse_questions(self.cleaned_data["questions"])


class SurveyResponseForm(forms.Form):
    """One field per question, named ``question_<id>`` like the service's error keys."""

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [(option, option) for option in question.options]
            field: forms.Field
            if question.kind == SurveyQuestion.Kind.SINGLE:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            elif question.kind == SurveyQuestion.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.CharField(
                    max_length=TEXT_ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 3})
                )
            field.label = question.text
            field.required = question.required
            if not question.required:
                field.help_text = _("Optional")
            self.fields[question_field(question)] = field

    def answers(self) -> dict[int, list[str] | str]:
        answers: dict[int, list[str] | str] = {}
        for question in self.questions:
            value = self.cleaned_data.get(question_field(question))
            answers[question.pk] = value if isinstance(value, list) else str(value or "")
        return answers
