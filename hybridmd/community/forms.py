"""Forms for writing in the community. Limits here match the services' limits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hybridmd.accounts.models import Specialty
from hybridmd.community.models import Board
from hybridmd.community.services.posts import (
    ANSWER_BODY_MAX,
    COMMENT_BODY_MAX,
    POST_BODY_MAX,
    TITLE_MAX,
)


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        max_length=POST_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Markdown: **bold**, *italic*, lists, links. Do not include patient identifiers."
        ),
    )
    specialty = forms.ModelChoiceField(
        label=_("Specialty"),
        queryset=Specialty.objects.all(),
        required=False,
        empty_label=_("Any specialty"),
        help_text=_("For questions: specialists of this field are paged."),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=200, help_text=_("Separate tags with commas.")
    )
    anonymous = forms.BooleanField(
        label=_("Ask anonymously (others see you as “Asker”; answers still carry real names)"),
        required=False,
    )
    event_starts_at = forms.DateTimeField(label=_("Starts at"), required=False)
    event_ends_at = forms.DateTimeField(label=_("Ends at"), required=False)
    event_url = forms.URLField(
        label=_("Event or stream link"), required=False, assume_scheme="https"
    )
    registration_url = forms.URLField(
        label=_("Registration link"), required=False, assume_scheme="https"
    )
    job_location = forms.CharField(label=_("Location"), required=False, max_length=100)
    poll_question = forms.CharField(
        label=_("Poll question (optional)"), required=False, max_length=200
    )
    poll_options = forms.CharField(
        label=_("Poll options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    poll_multiple = forms.BooleanField(label=_("Allow several answers"), required=False)
    poll_closes_at = forms.DateTimeField(label=_("Poll closes at"), required=False)

    def __init__(self, *args: Any, board: Board, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.board = board
        if editing or not board.allows_anonymous:
            del self.fields["anonymous"]
        if editing or board.kind != Board.Kind.EVENT:
            for name in ("event_starts_at", "event_ends_at", "event_url", "registration_url"):
                del self.fields[name]
        else:
            self.fields["event_starts_at"].required = True
        if editing or board.kind != Board.Kind.LISTING:
            del self.fields["job_location"]
        if editing or not board.allows_polls:
            for name in ("poll_question", "poll_options", "poll_multiple", "poll_closes_at"):
                del self.fields[name]

    def tag_names(self) -> list[str]:
        return [t for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]

    def poll_options_list(self) -> list[str]:
        raw = self.cleaned_data.get("poll_options") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("poll_question") and len(self.poll_options_list()) < 2:
            self.add_error("poll_options", _("A poll needs at least two options."))
        if self.poll_options_list() and not data.get("poll_question"):
            self.add_error("poll_question", _("Give the poll a question."))
        return data


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer (shown with your real name)"),
        max_length=ANSWER_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_BODY_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=(("post", "post"), ("answer", "answer"), ("comment", "comment")),
        widget=forms.HiddenInput,
    )
    target = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("What is wrong?"), max_length=500)


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(choices=(("restore", _("Restore")), ("remove", _("Remove"))))
    note = forms.CharField(
        label=_("Reason (shown to the author when removing)"), required=False, max_length=300
    )
