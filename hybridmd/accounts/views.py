"""HTML views for accounts: thin, every decision in services and permissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hybridmd.accounts import permissions, selectors, services
from hybridmd.accounts.forms import DecisionForm, ResubmitForm
from hybridmd.accounts.models import PhysicianProfile, User, as_user


def _user(request: HttpRequest) -> User:
    return as_user(request.user)


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/landing.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/home.html",
        {
            "profile": selectors.profile_of(user),
            "memberships": selectors.memberships_of(user),
            "verified": permissions.can_see_community(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    own_profile = selectors.profile_of(user)
    form = None
    if own_profile is not None and own_profile.status == PhysicianProfile.Status.REJECTED:
        form = ResubmitForm(request.POST or None, request.FILES or None, profile=own_profile)
        if request.method == "POST" and form.is_valid():
            try:
                services.verification_resubmit(
                    profile=own_profile, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Thank you. Your application is back in the verification queue.")
                )
                return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {"profile": own_profile, "memberships": selectors.memberships_of(user), "form": form},
    )


@permissions.permission_required(permissions.REVIEW_VERIFICATION)
def verification_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", PhysicianProfile.Status.PENDING)
    if status not in PhysicianProfile.Status.values:
        status = PhysicianProfile.Status.PENDING
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "accounts/verification_queue.html",
        {
            "profiles": selectors.verification_queue(status=status, query=query)[:200],
            "status": status,
            "query": query,
            "counts": selectors.verification_counts(),
            "statuses": PhysicianProfile.Status.choices,
        },
    )


def _review_context(profile: PhysicianProfile, form: DecisionForm) -> dict[str, object]:
    return {
        "profile": profile,
        "form": form,
        "same_proof": selectors.applicant_history(profile),
        "is_pdf": profile.proof_content_type == "application/pdf",
    }


@permissions.permission_required(permissions.REVIEW_VERIFICATION)
@require_http_methods(["GET", "POST"])
def verification_detail(request: HttpRequest, profile_id: int) -> HttpResponse:
    try:
        profile = selectors.profile_for_review(profile_id)
    except PhysicianProfile.DoesNotExist as exc:
        raise Http404 from exc
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reviewer = _user(request)
        try:
            if form.cleaned_data["decision"] == "approve":
                services.verification_approve(
                    reviewer=reviewer, profile_id=profile.pk, request=request
                )
                messages.success(
                    request,
                    _("Approved: %(name)s is now verified.") % {"name": profile.user.full_name},
                )
            else:
                services.verification_reject(
                    reviewer=reviewer,
                    profile_id=profile.pk,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(
                    request,
                    _("Rejected: %(name)s has been told why.") % {"name": profile.user.full_name},
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("verification_queue")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/verification_detail.html", _review_context(profile, form), status=status
    )


@login_required
def proof_file(request: HttpRequest, profile_id: int) -> FileResponse:
    """The licence scan: for its owner and for verifiers only; every look is audited."""
    user = _user(request)
    try:
        profile = selectors.profile_for_review(profile_id)
    except PhysicianProfile.DoesNotExist as exc:
        raise Http404 from exc
    if profile.user_id != user.pk:
        permissions.require(user, permissions.REVIEW_VERIFICATION)
    services.proof_viewed_record(viewer=user, profile=profile, request=request)
    response = FileResponse(profile.proof.open("rb"), content_type=profile.proof_content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
