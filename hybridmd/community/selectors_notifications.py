"""Reads for notifications and paging: a member's list and unread count, their
preferences, and who may be paged. Every function runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from hybridmd.accounts.models import PhysicianProfile, Role, Specialty, User
from hybridmd.community.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    Page,
    PagingPreference,
)

SPECIALIST_ROLE = "specialist"
PER_PAGE = 30


def _path(name: str, fallback: str, *args: object) -> str:
    """The URL of a page, or ``fallback`` while that URL is not wired into the project."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def post_path(public_id: UUID | str) -> str:
    """The question's page, ``/community/p/<public_id>/``."""
    return _path("community_post", f"/community/p/{public_id}/", public_id)


def preferences_path() -> str:
    return _path("notifications_preferences", "/community/notifications/preferences/")


# --- a member's notifications ---------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationItem:
    notification: Notification
    title: str  # empty when the post is hidden or removed: its title is not repeated
    url: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


@dataclass(frozen=True)
class NotificationList:
    page: PaginatorPage[Notification]
    items: list[NotificationItem]


def notifications_of(user: User, *, page_number: str | int | None = 1) -> NotificationList:
    """Newest first, ``PER_PAGE`` at a time: two queries whatever the page size."""
    queryset = (
        Notification.objects.filter(recipient=user)
        .select_related("post")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(queryset, PER_PAGE).get_page(page_number)
    items = []
    for notification in page.object_list:
        post = notification.post
        visible = post is not None and post.is_visible
        items.append(
            NotificationItem(
                notification=notification,
                title=post.title if post is not None and visible else "",
                url=post_path(post.public_id) if post is not None and visible else "",
            )
        )
    return NotificationList(page=page, items=items)


def email_wanted(user_id: int, kind: str) -> bool:
    """Email is on unless the member turned it off for this kind of event."""
    return not NotificationPreference.objects.filter(
        user_id=user_id, kind=kind, email=False
    ).exists()


def email_preferences(user: User) -> dict[str, bool]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, True) for kind in NotificationKind.values}


def paging_preference(user: User) -> PagingPreference:
    """The stored preference, or an unsaved one holding the defaults."""
    return PagingPreference.objects.filter(user=user).first() or PagingPreference(user=user)


# --- paging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecialtyNode:
    pk: int
    code: str
    parent_id: int | None


def specialty_nodes() -> list[SpecialtyNode]:
    return [
        SpecialtyNode(pk=pk, code=code, parent_id=parent_id)
        for pk, code, parent_id in Specialty.objects.values_list("pk", "code", "parent_id")
    ]


@dataclass(frozen=True)
class Specialist:
    user_id: int
    specialty_id: int
    language: str


def specialists_may_answer(answer_permission: str) -> bool:
    """Whether the specialist role carries a board's answer permission (roles are data).

    Consultation boards are answered by partner consultants: specialists are not paged
    for questions there, whatever their specialty.
    """
    role = Role.objects.filter(code=SPECIALIST_ROLE).values_list("permissions", flat=True)
    granted = role.first()
    return granted is not None and answer_permission in granted


def verified_specialists(specialty_ids: Collection[int]) -> list[Specialist]:
    """Active users holding the specialist role, verified, in one of these specialties."""
    rows = (
        User.objects.filter(
            is_active=True,
            memberships__role__code=SPECIALIST_ROLE,
            memberships__facility__isnull=True,
            physician_profile__status=PhysicianProfile.Status.APPROVED,
            physician_profile__specialty_id__in=list(specialty_ids),
        )
        .values_list("pk", "physician_profile__specialty_id", "language")
        .distinct()
        .order_by("pk")
    )
    return [
        Specialist(user_id=pk, specialty_id=specialty_id, language=language)
        for pk, specialty_id, language in rows
    ]


def paged_for(post_id: int) -> set[int]:
    return set(Page.objects.filter(post_id=post_id).values_list("specialist_id", flat=True))


def paging_preferences(user_ids: Collection[int]) -> dict[int, PagingPreference]:
    return {p.user_id: p for p in PagingPreference.objects.filter(user_id__in=list(user_ids))}


def pages_since(user_ids: Collection[int], since: datetime) -> dict[int, int]:
    """How many times each of these specialists was paged since ``since``."""
    rows = (
        Page.objects.filter(specialist_id__in=list(user_ids), created_at__gt=since)
        .values("specialist_id")
        .annotate(n=Count("pk"))
        .values_list("specialist_id", "n")
    )
    return dict(rows)


def email_opted_out(user_ids: Collection[int], kind: str) -> set[int]:
    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), kind=kind, email=False
        ).values_list("user_id", flat=True)
    )
