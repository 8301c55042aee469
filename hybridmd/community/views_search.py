"""The search page (/community/search/): a GET form, ranked threads with marked snippets."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from hybridmd.accounts import permissions
from hybridmd.accounts.models import Specialty
from hybridmd.community import fragments
from hybridmd.community.models import Board
from hybridmd.community.search import SearchPage, search

PAGE_SIZE = 20


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    board = forms.ModelChoiceField(
        label=_("Board"),
        queryset=Board.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All boards"),
    )
    specialty = forms.ModelChoiceField(
        label=_("Specialty"),
        queryset=Specialty.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All specialties"),
    )
    tag = forms.CharField(label=_("Tag"), max_length=40, required=False)
    answered = forms.TypedChoiceField(
        label=_("Answers"),
        choices=(("", _("Any")), ("yes", _("Answered")), ("no", _("Unanswered"))),
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=50, required=False, widget=forms.HiddenInput)


def _page_links(request: HttpRequest, page: SearchPage, number: int) -> dict[str, str]:
    def link(n: int) -> str:
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        return "?" + urlencode({**params, "page": n})

    links = {}
    if page.has_previous:
        links["previous"] = link(number - 1)
    if page.has_next:
        links["next"] = link(number + 1)
    return links


@permissions.permission_required(permissions.COMMUNITY_VIEW)
def community_search(request: HttpRequest) -> HttpResponse:
    def context() -> dict[str, Any]:
        form = SearchForm(request.GET or None)
        values: dict[str, Any] = {"form": form, "page": None, "action": request.path}
        if form.is_valid() and form.cleaned_data["q"].strip():
            data = form.cleaned_data
            number = data["page"] or 1
            page = search(
                request.user,
                data["q"],
                board=data["board"],
                specialty=data["specialty"],
                tag=data["tag"] or None,
                answered=data["answered"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
            values.update(page=page, number=number, links=_page_links(request, page, number))
        return values

    # Results are the same for everyone who may search (search() filters by what every
    # member may read), so the fragment is keyed by the form's fields alone.
    fields = tuple((name, request.GET.get(name, "")) for name in SearchForm.base_fields)
    body = fragments.cached(
        request,
        "search",
        parts=(request.path, fields),
        scopes=[fragments.SEARCH],
        templates={"body": "community/_search_body.html"},
        context=context,
    )
    return render(request, "community/search.html", {"fragments": body})
