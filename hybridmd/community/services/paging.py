"""Specialty paging: which specialists are asked to answer a question, and how loudly.

A new question on a board that takes answers, with a specialty, pages **circle 1**
once the post is committed (``community.page_question``). Every
``HYBRIDMD_REPAGE_AFTER_HOURS`` without an answer, ``community.repage_unanswered``
pages the next circle, up to circle 3.

Circles are cumulative (each holds the ones inside it) and are decided by the
question's specialty S and its board specialty B (S's parent, or S itself when S is
a board specialty such as RAD or IM):

1. verified specialists whose specialty is S;
2. plus those whose specialty belongs to the board specialty B: B itself and every
   subspecialty under B. For an IM-CARD question: IM and every IM-* subspecialty; for
   an IM question: every IM-* subspecialty; for RAD (no subspecialties) nobody new;
3. plus those of the board specialties clinically next to B, ``RELATED_BOARDS[B]``
   below, with their subspecialties (IM-CARD -> IM -> FM, EM; RAD -> NM, RO).

A circle that adds nobody new is passed over at once rather than after another wait
(a RAD question with no other radiologists goes from circle 1 straight to circle 3).
Someone in an inner circle who was skipped (over their daily limit) is offered the
page again when an outer circle is paged; nobody is ever paged twice for a question
(``Page`` is unique per post and specialist). The asker is never paged.

"Verified specialist": an active user holding the platform ``specialist`` role whose
``PhysicianProfile`` is approved; their specialty is the profile's. Nobody is paged on
a board whose answer permission the specialist role lacks (the consultation board).

Each specialist's ``PagingPreference`` (defaults when none is stored) decides:
disabled, or already paged ``max_per_day`` times in the last 24 hours -> not paged;
within their quiet hours (Asia/Seoul, may wrap midnight) -> paged in-app, no email;
otherwise paged in-app and by email, unless they turned paging email off
(``NotificationPreference`` kind ``paged``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hybridmd.accounts.models import User
from hybridmd.audit import services as audit
from hybridmd.community import identity
from hybridmd.community import selectors_notifications as selectors
from hybridmd.community.models import (
    Board,
    Notification,
    NotificationKind,
    Page,
    PagingPreference,
    Post,
    Visibility,
)
from hybridmd.community.selectors_notifications import Specialist, SpecialtyNode
from hybridmd.community.services.notifications import queue_emails

SEOUL = ZoneInfo("Asia/Seoul")
MAX_CIRCLE = 3
MAX_PER_DAY_LIMIT = 50
# Questions older than this are no longer re-paged (e.g. ones from before paging existed).
REPAGE_MAX_AGE = timedelta(days=14)

RELATED_BOARDS: dict[str, tuple[str, ...]] = {
    "IM": ("FM", "EM"),
    "GS": ("CS", "EM"),
    "PED": ("FM",),
    "OBGY": ("URO", "FM"),
    "PSY": ("NEU", "FM"),
    "OS": ("NS", "RM"),
    "NS": ("OS", "NEU"),
    "CS": ("GS", "IM"),
    "PS": ("GS", "DER"),
    "OPH": ("NEU",),
    "ENT": ("PED", "FM"),
    "DER": ("PS", "FM"),
    "URO": ("OBGY", "GS"),
    "RAD": ("NM", "RO"),
    "RO": ("RAD", "IM"),
    "AN": ("EM", "IM"),
    "NEU": ("NS", "PSY"),
    "RM": ("OS", "NEU"),
    "TB": ("IM",),
    "LM": ("PATH", "IM"),
    "PATH": ("LM",),
    "PM": ("OEM", "FM"),
    "FM": ("IM", "EM"),
    "EM": ("IM", "FM"),
    "NM": ("RAD",),
    "OEM": ("PM", "FM"),
}


def specialty_circles(specialty_id: int, nodes: Sequence[SpecialtyNode]) -> dict[int, int]:
    """The innermost circle of each specialty, for a question in ``specialty_id``."""
    by_id = {node.pk: node for node in nodes}
    board = by_id[specialty_id].parent_id or specialty_id
    related_codes = set(RELATED_BOARDS.get(by_id[board].code, ()))
    related = {n.pk for n in nodes if n.parent_id is None and n.code in related_codes}
    circles: dict[int, int] = {}
    for node in nodes:
        node_board = node.parent_id or node.pk
        if node.pk == specialty_id:
            circles[node.pk] = 1
        elif node_board == board:
            circles[node.pk] = 2
        elif node_board in related:
            circles[node.pk] = 3
    return circles


def in_quiet_hours(now: datetime, start: time | None, end: time | None) -> bool:
    """Whether ``now`` falls in [start, end) Seoul time; the span may wrap midnight."""
    if start is None or end is None or start == end:
        return False
    local = timezone.localtime(now, SEOUL).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


class Delivery(enum.Enum):
    SKIP = "skip"
    IN_APP = "in_app"
    IN_APP_AND_EMAIL = "in_app_and_email"


@dataclass(frozen=True)
class PagingRules:
    enabled: bool
    max_per_day: int
    quiet_start: time | None
    quiet_end: time | None

    @classmethod
    def of(cls, preference: PagingPreference | None) -> PagingRules:
        p = preference if preference is not None else PagingPreference()
        return cls(p.enabled, p.max_per_day, p.quiet_start, p.quiet_end)


def delivery(
    rules: PagingRules, *, pages_last_day: int, now: datetime, email_wanted: bool = True
) -> Delivery:
    """How one specialist is paged now, given how often they were paged in 24 hours."""
    if not rules.enabled or pages_last_day >= rules.max_per_day:
        return Delivery.SKIP
    if not email_wanted or in_quiet_hours(now, rules.quiet_start, rules.quiet_end):
        return Delivery.IN_APP
    return Delivery.IN_APP_AND_EMAIL


# --- the work -------------------------------------------------------------------------


def question_posted(post: Post) -> None:
    """Page the first circle of specialists for a new question with a specialty."""
    if post.specialty_id is None or not post.is_visible or not post.board.takes_answers:
        return
    from hybridmd.community import tasks  # noqa: PLC0415 -- tasks.py imports this module

    post_id = post.pk
    transaction.on_commit(lambda: tasks.page_question.delay(post_id, circle=1))


def _asker_display(post: Post, language: str, cache: dict[str, str]) -> str:
    if language not in cache:
        with translation.override(language):
            cache[language] = identity.post_author(post).name
    return cache[language]


def _page(post: Post, candidates: list[Specialist], *, circle: int, now: datetime) -> int:
    ids = [s.user_id for s in candidates]
    preferences = selectors.paging_preferences(ids)
    recent = selectors.pages_since(ids, now - timedelta(hours=24))
    no_email = selectors.email_opted_out(ids, NotificationKind.PAGED)
    pages: list[Page] = []
    notifications: list[Notification] = []
    emailed: list[bool] = []
    names: dict[str, str] = {}
    for specialist in candidates:
        how = delivery(
            PagingRules.of(preferences.get(specialist.user_id)),
            pages_last_day=recent.get(specialist.user_id, 0),
            now=now,
            email_wanted=specialist.user_id not in no_email,
        )
        if how is Delivery.SKIP:
            continue
        pages.append(
            Page(post=post, specialist_id=specialist.user_id, circle=circle, created_at=now)
        )
        notifications.append(
            Notification(
                recipient_id=specialist.user_id,
                kind=NotificationKind.PAGED,
                post=post,
                actor_display=_asker_display(post, specialist.language, names),
                created_at=now,
            )
        )
        emailed.append(how is Delivery.IN_APP_AND_EMAIL)
    Page.objects.bulk_create(pages)
    created = Notification.objects.bulk_create(notifications)
    queue_emails(n.pk for n, email in zip(created, emailed, strict=True) if email)
    return len(pages)


@transaction.atomic
def page_circle(*, post_id: int, circle: int, now: datetime | None = None) -> int:
    """Page ``circle`` (and any empty circle after it) for a question; how many were paged.

    Idempotent: a circle already paged for the post is a no-op, so running the task
    twice pages nobody twice. Re-pages (circle > 1) stop once the question is answered.
    """
    now = now or timezone.now()
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("board", "author")
        .filter(pk=post_id)
        .first()
    )
    if (
        post is None
        or post.specialty_id is None
        or not post.is_visible
        or not post.board.takes_answers
        or not 1 <= circle <= MAX_CIRCLE
        or post.paged_circle >= circle
        or (circle > 1 and post.answer_count > 0)
        or not selectors.specialists_may_answer(post.board.answer_permission)
    ):
        return 0
    circles = specialty_circles(post.specialty_id, selectors.specialty_nodes())
    specialists = [
        s for s in selectors.verified_specialists(circles) if s.user_id != post.author_id
    ]
    while circle < MAX_CIRCLE and not any(circles[s.specialty_id] == circle for s in specialists):
        circle += 1
    already = selectors.paged_for(post.pk)
    candidates = [
        s for s in specialists if circles[s.specialty_id] <= circle and s.user_id not in already
    ]
    paged = _page(post, candidates, circle=circle, now=now)
    Post.objects.filter(pk=post.pk).update(paged_circle=circle, last_paged_at=now)
    return paged


def repage_unanswered(*, now: datetime | None = None) -> list[int]:
    """Queue the next circle for each visible question still unanswered after the wait."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.HYBRIDMD_REPAGE_AFTER_HOURS)
    due = list(
        Post.objects.filter(
            status=Visibility.VISIBLE,
            board__kind=Board.Kind.QUESTION,
            specialty__isnull=False,
            answer_count=0,
            paged_circle__lt=MAX_CIRCLE,
            created_at__lte=cutoff,
            created_at__gte=now - REPAGE_MAX_AGE,
        )
        .filter(Q(last_paged_at__isnull=True) | Q(last_paged_at__lte=cutoff))
        .order_by("created_at")
        .values_list("pk", "paged_circle")
    )
    if due:
        from hybridmd.community import tasks  # noqa: PLC0415 -- tasks.py imports this module

        def queue() -> None:
            for post_id, paged_circle in due:
                tasks.page_question.delay(post_id, circle=paged_circle + 1)

        transaction.on_commit(queue)
    return [post_id for post_id, _circle in due]


# --- preferences ----------------------------------------------------------------------


@transaction.atomic
def paging_preference_update(
    *,
    user: User,
    enabled: bool,
    max_per_day: int,
    quiet_start: time | None,
    quiet_end: time | None,
    request: HttpRequest | None = None,
) -> PagingPreference:
    """Whether, how often and when (Seoul time) a specialist is paged."""
    if not 0 <= max_per_day <= MAX_PER_DAY_LIMIT:
        raise ValidationError(
            {"max_per_day": _("Choose between 0 and %(max)d.") % {"max": MAX_PER_DAY_LIMIT}},
            code="max_per_day",
        )
    if (quiet_start is None) != (quiet_end is None) or (
        quiet_start is not None and quiet_start == quiet_end
    ):
        raise ValidationError(
            _("Give both a start and an end for quiet hours, and make them differ, or neither."),
            code="quiet_hours",
        )
    preference, _created = PagingPreference.objects.update_or_create(
        user=user,
        defaults={
            "enabled": enabled,
            "max_per_day": max_per_day,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )
    audit.record(
        user,
        "community.paging_preference_updated",
        preference,
        detail={
            "enabled": enabled,
            "max_per_day": max_per_day,
            "quiet_start": quiet_start.isoformat() if quiet_start else None,
            "quiet_end": quiet_end.isoformat() if quiet_end else None,
        },
        request=request,
    )
    return preference
