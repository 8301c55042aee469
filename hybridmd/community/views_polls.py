"""HTML views for polls (HTMX partial) and staff surveys. Thin: services decide.

Poll vote status codes: 200 counted, 403 not a verified member, 409 already voted,
422 invalid choice or closed poll. Survey staff are holders of ``community.moderate``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User, as_user
from hybridmd.community import selectors_polls as selectors
from hybridmd.community.forms_polls import SurveyForm, SurveyResponseForm, parse_option_ids
from hybridmd.community.models import Poll, Survey
from hybridmd.community.services import polls as services

POLL_TEMPLATE = "community/_poll.html"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """Where to go back to: a same-host path, else the start page."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def _poll_block(
    request: HttpRequest, poll: Poll, *, next_url: str, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "poll": poll,
        "state": selectors.poll_results(poll, viewer=request.user),
        "error": error,
        "next": next_url,
    }
    return render(request, POLL_TEMPLATE, context, status=status)


@require_GET
def poll_block(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The poll as this member sees it: the ballot, or the results once voted or closed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_see_community(request.user):
        raise PermissionDenied
    poll = selectors.poll_for_display(poll_id)
    if poll is None:
        raise Http404
    return _poll_block(request, poll, next_url=_safe_next(request, request.GET.get("next")))


@require_POST
def poll_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    """HTMX: the re-rendered poll block. Without HTMX: back to ``next`` with a message."""
    next_url = _safe_next(request, request.POST.get("next"))
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    poll = selectors.poll_for_display(poll_id)
    if poll is None:
        raise Http404
    htmx = _is_htmx(request)
    error, status = "", 200
    try:
        services.poll_vote(
            poll_id=poll.pk,
            voter=as_user(request.user),
            option_ids=parse_option_ids(request.POST.getlist("option")),
        )
    except PermissionDenied:
        if not htmx:
            raise
        error, status = _("Only verified physicians can vote."), 403
    except services.AlreadyVoted as exc:
        error, status = " ".join(exc.messages), 409
    except ValidationError as exc:
        error, status = " ".join(exc.messages), 422
    if htmx:
        return _poll_block(request, poll, next_url=next_url, error=error, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you: your vote was counted."))
    return redirect(next_url)


# --- Surveys ----------------------------------------------------------------------


def _survey(survey_id: int) -> Survey:
    survey = selectors.survey_get(survey_id)
    if survey is None:
        raise Http404
    return survey


def _is_staff(user: User) -> bool:
    return permissions.has_perm(user, services.SURVEY_STAFF)


@permissions.permission_required(permissions.COMMUNITY_VIEW)
def survey_list(request: HttpRequest) -> HttpResponse:
    user = as_user(request.user)
    return render(
        request,
        "community/survey_list.html",
        {"rows": selectors.survey_list(viewer=user), "is_staff": _is_staff(user)},
    )


@permissions.permission_required(permissions.COMMUNITY_VIEW)
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey and, while it is open and unanswered, the form to answer it."""
    user = as_user(request.user)
    survey = _survey(survey_id)
    questions = selectors.survey_questions(survey)
    responded = selectors.survey_has_responded(survey, user)
    form = SurveyResponseForm(request.POST or None, questions=questions)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.survey_respond(
                    survey_id=survey.pk, respondent=user, answers=form.answers()
                )
            except services.AlreadyResponded as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Thank you: your answers were recorded."))
                return redirect("survey_list")
    return render(
        request,
        "community/survey_detail.html",
        {
            "survey": survey,
            "form": form,
            "responded": responded,
            "is_staff": _is_staff(user),
        },
        status=status,
    )


@permissions.permission_required(services.SURVEY_STAFF)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(creator=as_user(request.user), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The survey is published."))
            return redirect("survey_detail", survey_id=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/survey_form.html", {"form": form}, status=status)


@permissions.permission_required(services.SURVEY_STAFF)
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    return render(
        request, "community/survey_results.html", {"results": selectors.survey_results(survey)}
    )


@permissions.permission_required(services.SURVEY_STAFF)
def survey_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The anonymous CSV, UTF-8 with a BOM so Excel opens Hangul correctly."""
    text = services.survey_export(survey_id=survey_id, actor=as_user(request.user))
    response = HttpResponse(
        ("\ufeff" + text).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey_id}-results.csv"'
    return response
