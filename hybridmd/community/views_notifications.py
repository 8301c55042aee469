"""Notifications, their preferences and the answer-rate dashboard: thin HTML views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User, as_user
from hybridmd.community import selectors_dashboard, selectors_notifications
from hybridmd.community.forms_notifications import PreferencesForm
from hybridmd.community.models import Notification
from hybridmd.community.services import notifications, paging

SPECIALIST_ROLE = selectors_notifications.SPECIALIST_ROLE
HTMX_STOP_POLLING = 286  # htmx stops an ``every`` trigger on this status


def _user(request: HttpRequest) -> User:
    return as_user(request.user)


@permissions.permission_required(permissions.COMMUNITY_VIEW)
@require_GET
def notifications_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    listing = selectors_notifications.notifications_of(user, page_number=request.GET.get("page"))
    return render(
        request,
        "community/notifications.html",
        {
            "listing": listing,
            "notification_unread": selectors_notifications.unread_count(user),
        },
    )


@permissions.permission_required(permissions.COMMUNITY_VIEW)
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(user=_user(request))
    return redirect("notifications_list")


@permissions.permission_required(permissions.COMMUNITY_VIEW)
@require_GET
def notifications_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to its post."""
    try:
        notification = notifications.notification_open(
            user=_user(request), notification_id=notification_id
        )
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    post = notification.post
    if post is None or not post.is_visible:
        messages.info(request, _("That post is no longer available."))
        return redirect("notifications_list")
    return redirect(selectors_notifications.post_path(post.public_id))


@require_GET
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The unread count, polled by the badge in the navigation (HTMX partial).

    Signed out (e.g. the session expired in an open tab) it answers 286 so htmx stops
    polling, instead of swapping the sign-in page into the navigation.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    permissions.require(request.user, permissions.COMMUNITY_VIEW)
    response = render(
        request,
        "community/_notification_badge.html",
        {"notification_unread": selectors_notifications.unread_count(_user(request))},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@permissions.permission_required(permissions.COMMUNITY_VIEW)
@require_http_methods(["GET", "POST"])
def notifications_preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    is_specialist = permissions.has_role(user, SPECIALIST_ROLE)
    form = PreferencesForm(
        request.POST or None,
        email=selectors_notifications.email_preferences(user),
        paging=selectors_notifications.paging_preference(user) if is_specialist else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notifications.email_preferences_update(
                user=user, email_by_kind=form.email_by_kind, request=request
            )
            if form.has_paging:
                paging.paging_preference_update(
                    user=user,
                    enabled=data["paging_enabled"],
                    max_per_day=data["max_per_day"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                    request=request,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications_preferences")
    status = 400 if request.method == "POST" else 200
    return render(request, "community/notification_preferences.html", {"form": form}, status=status)


@permissions.permission_required(permissions.COMMUNITY_VIEW)
@require_GET
def answer_rate_dashboard(request: HttpRequest) -> HttpResponse:
    days = selectors_dashboard.period_days(request.GET.get("days"))
    rate = selectors_dashboard.answer_rate(days=days)
    tables = [
        (_("By board"), _("Board"), rate.by_board),
        (_("By specialty"), _("Specialty"), rate.by_specialty),
    ]
    return render(
        request,
        "community/answer_rate.html",
        {"rate": rate, "tables": tables, "periods": selectors_dashboard.PERIODS},
    )
