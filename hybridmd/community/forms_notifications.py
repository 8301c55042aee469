"""The notification preferences form: email per kind of event, and (for specialists) paging."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hybridmd.community.models import NotificationKind, PagingPreference
from hybridmd.community.services.paging import MAX_PER_DAY_LIMIT

EMAIL_PREFIX = "email_"
PAGING_FIELDS = ("paging_enabled", "max_per_day", "quiet_start", "quiet_end")


class _TimeInput(forms.TimeInput):
    input_type = "time"


class PreferencesForm(forms.Form):
    paging_enabled = forms.BooleanField(
        label=_("Page me for questions in my specialty"), required=False
    )
    max_per_day = forms.IntegerField(
        label=_("At most this many pages a day"),
        min_value=0,
        max_value=MAX_PER_DAY_LIMIT,
        help_text=format_lazy(
            _("From 0 to {limit}, counted over the last 24 hours. 0 pauses paging."),
            limit=MAX_PER_DAY_LIMIT,
        ),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"), required=False, widget=_TimeInput(format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=_TimeInput(format="%H:%M"),
        help_text=_(
            "Korean time. During quiet hours pages arrive here but are not emailed. "
            "They may run past midnight, e.g. 22:00 to 07:00."
        ),
    )

    def __init__(
        self,
        *args: Any,
        email: dict[str, bool],
        paging: PagingPreference | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[EMAIL_PREFIX + kind] = forms.BooleanField(
                label=label, required=False, initial=email.get(kind, True)
            )
        self.has_paging = paging is not None
        if paging is None:
            for name in PAGING_FIELDS:
                del self.fields[name]
        else:
            self.fields["paging_enabled"].initial = paging.enabled
            self.fields["max_per_day"].initial = paging.max_per_day
            self.fields["quiet_start"].initial = paging.quiet_start
            self.fields["quiet_end"].initial = paging.quiet_end

    def email_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if name.startswith(EMAIL_PREFIX)]

    def paging_fields(self) -> list[BoundField]:
        return [self[name] for name in PAGING_FIELDS if name in self.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.has_paging:
            start: time | None = cleaned.get("quiet_start")
            end: time | None = cleaned.get("quiet_end")
            if "quiet_start" in self.errors or "quiet_end" in self.errors:
                return cleaned
            if (start is None) != (end is None):
                self.add_error(
                    "quiet_end" if end is None else "quiet_start",
                    _("Give both a start and an end for quiet hours, or neither."),
                )
            elif start is not None and start == end:
                self.add_error("quiet_end", _("Quiet hours must end at a different time."))
        return cleaned

    @property
    def email_by_kind(self) -> dict[str, bool]:
        return {
            name.removeprefix(EMAIL_PREFIX): bool(value)
            for name, value in self.cleaned_data.items()
            if name.startswith(EMAIL_PREFIX)
        }
