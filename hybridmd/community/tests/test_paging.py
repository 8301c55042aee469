"""Specialty paging: circles, limits, quiet hours, preferences, re-paging and idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from hybridmd.accounts.models import Specialty
from hybridmd.accounts.tests.factories import PhysicianFactory
from hybridmd.community import identity, selectors_notifications, tasks
from hybridmd.community.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    Page,
    PagingPreference,
    Post,
)
from hybridmd.community.services import paging
from hybridmd.community.services.paging import Delivery, PagingRules
from hybridmd.community.tests.factories import PostFactory, board, verified_user

pytestmark = pytest.mark.django_db

# 2026-03-02 14:30 UTC is 23:30 in Seoul.
SEOUL_2330 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def specialist(code: str, **user):
    return PhysicianFactory(
        verified=True,
        specialty=Specialty.objects.get(code=code),
        **{f"user__{k}": v for k, v in user.items()},
    ).user


def question(code: str = "IM-CARD", **kwargs) -> Post:
    """A question by a general practitioner, so the asker is in no circle unless chosen."""
    kwargs.setdefault("board", board("qna"))
    kwargs.setdefault("author", verified_user(specialty=None))
    return PostFactory(specialty=Specialty.objects.get(code=code), **kwargs)


def paged(post: Post) -> dict[int, int]:
    return dict(Page.objects.filter(post=post).values_list("specialist_id", "circle"))


def post_question(post: Post, capture) -> None:
    with capture(execute=True):
        paging.question_posted(post)


# --- pure rules ------------------------------------------------------------------------


def _circles(code: str) -> dict[str, int]:
    nodes = selectors_notifications.specialty_nodes()
    codes = {n.pk: n.code for n in nodes}
    own = Specialty.objects.get(code=code).pk
    return {codes[pk]: circle for pk, circle in paging.specialty_circles(own, nodes).items()}


def test_circles_of_a_subspecialty_question():
    circles = _circles("IM-CARD")
    assert circles["IM-CARD"] == 1
    assert circles["IM"] == 2
    assert circles["IM-GI"] == circles["IM-ENDO"] == 2
    assert circles["FM"] == circles["EM"] == 3
    assert "RAD" not in circles
    assert "CS" not in circles


def test_circles_of_a_board_specialty_question():
    circles = _circles("IM")
    assert circles["IM"] == 1
    assert circles["IM-CARD"] == 2
    assert circles["FM"] == 3
    radiology = _circles("RAD")
    assert radiology == {"RAD": 1, "NM": 3, "RO": 3}


def test_related_boards_name_real_board_specialties():
    boards = set(Specialty.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert set(paging.RELATED_BOARDS) == boards
    for code, related in paging.RELATED_BOARDS.items():
        assert set(related) <= boards
        assert code not in related


@pytest.mark.parametrize(
    ("seoul", "start", "end", "quiet"),
    [
        ((13, 0), (13, 0), (14, 0), True),
        ((14, 0), (13, 0), (14, 0), False),
        ((12, 59), (13, 0), (14, 0), False),
        ((23, 30), (22, 0), (7, 0), True),  # wraps midnight
        ((0, 0), (22, 0), (7, 0), True),
        ((6, 59), (22, 0), (7, 0), True),
        ((7, 0), (22, 0), (7, 0), False),
        ((21, 59), (22, 0), (7, 0), False),
        ((12, 0), (22, 0), (7, 0), False),
    ],
)
def test_quiet_hours_in_seoul_time(seoul, start, end, quiet):
    # Seoul is UTC+9 all year: build the instant in UTC to prove the conversion.
    now = datetime(2026, 3, 2, seoul[0], seoul[1], tzinfo=UTC) - timedelta(hours=9)
    assert paging.in_quiet_hours(now, time(*start), time(*end)) is quiet


def test_no_quiet_hours_unless_both_ends_differ():
    assert not paging.in_quiet_hours(SEOUL_2330, None, time(7))
    assert not paging.in_quiet_hours(SEOUL_2330, time(22), None)
    assert not paging.in_quiet_hours(SEOUL_2330, time(22), time(22))


def test_delivery_rules():
    rules = PagingRules.of(None)
    assert rules == PagingRules(enabled=True, max_per_day=5, quiet_start=None, quiet_end=None)
    now = SEOUL_2330
    assert paging.delivery(rules, pages_last_day=0, now=now) is Delivery.IN_APP_AND_EMAIL
    assert paging.delivery(rules, pages_last_day=4, now=now) is Delivery.IN_APP_AND_EMAIL
    assert paging.delivery(rules, pages_last_day=5, now=now) is Delivery.SKIP
    off = PagingRules(enabled=False, max_per_day=5, quiet_start=None, quiet_end=None)
    assert paging.delivery(off, pages_last_day=0, now=now) is Delivery.SKIP
    night = PagingRules(enabled=True, max_per_day=5, quiet_start=time(22), quiet_end=time(7))
    assert paging.delivery(night, pages_last_day=0, now=now) is Delivery.IN_APP
    assert paging.delivery(rules, pages_last_day=0, now=now, email_wanted=False) is Delivery.IN_APP
    zero = PagingRules(enabled=True, max_per_day=0, quiet_start=None, quiet_end=None)
    assert paging.delivery(zero, pages_last_day=0, now=now) is Delivery.SKIP


# --- paging a question -----------------------------------------------------------------


def test_new_question_pages_circle_one_with_notification_and_email(
    django_capture_on_commit_callbacks,
):
    cardiologist = specialist("IM-CARD", full_name="심장전문", language="en")
    gastro = specialist("IM-GI")
    post = question("IM-CARD", title="STEMI 감별")
    post_question(post, django_capture_on_commit_callbacks)

    assert paged(post) == {cardiologist.pk: 1}
    assert gastro.pk not in paged(post)
    post.refresh_from_db()
    assert post.paged_circle == 1
    assert post.last_paged_at is not None
    note = Notification.objects.get(recipient=cardiologist)
    assert note.kind == NotificationKind.PAGED
    assert note.post == post
    assert note.emailed_at is not None
    assert Page.objects.get(specialist=cardiologist).emailed
    (message,) = mail.outbox
    assert message.to == [cardiologist.email]
    assert "STEMI 감별" in message.subject
    assert "question in your specialty" in message.subject  # English: the recipient's language
    assert f"{settings.HYBRIDMD_SITE_URL}/community/p/{post.public_id}/" in message.body


def test_the_asker_is_never_paged(django_capture_on_commit_callbacks):
    asker = specialist("IM-CARD")
    other = specialist("IM-CARD")
    post = question("IM-CARD", author=asker)
    post_question(post, django_capture_on_commit_callbacks)
    assert paged(post) == {other.pk: 1}
    with django_capture_on_commit_callbacks(execute=True):
        tasks.page_question.delay(post.pk, circle=2)
        tasks.page_question.delay(post.pk, circle=3)
    assert asker.pk not in paged(post)
    assert not Notification.objects.filter(recipient=asker).exists()


def test_only_verified_active_specialists_are_paged(django_capture_on_commit_callbacks):
    verified = specialist("IM-CARD")
    pending = PhysicianFactory(specialty=Specialty.objects.get(code="IM-CARD")).user
    inactive = specialist("IM-CARD")
    inactive.is_active = False
    inactive.save()
    post = question("IM-CARD")
    post_question(post, django_capture_on_commit_callbacks)
    assert set(paged(post)) == {verified.pk}
    assert pending.pk not in paged(post)


def test_no_paging_without_specialty_or_where_specialists_cannot_answer(
    django_capture_on_commit_callbacks,
):
    specialist("IM-CARD")
    no_specialty = PostFactory(board=board("qna"), specialty=None)
    discussion = question("IM-CARD", board=board("papers"))
    consultation = question("IM-CARD", board=board("consult"))  # partner consultants answer
    for post in (no_specialty, discussion, consultation):
        post_question(post, django_capture_on_commit_callbacks)
        assert paging.page_circle(post_id=post.pk, circle=3) == 0
    assert not Page.objects.exists()
    assert not mail.outbox


def test_running_the_task_twice_pages_nobody_twice(django_capture_on_commit_callbacks):
    specialist("IM-CARD")
    specialist("IM-CARD")
    post = question("IM-CARD")
    post_question(post, django_capture_on_commit_callbacks)
    assert len(paged(post)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.page_question.delay(post.pk, circle=1).get() == 0
        assert tasks.page_question.delay(post.pk, circle=1).get() == 0
    assert Page.objects.filter(post=post).count() == 2
    assert Notification.objects.filter(post=post).count() == 2
    assert len(mail.outbox) == 2
    for note in Notification.objects.all():  # the email task is idempotent too
        assert tasks.notification_email.delay(note.pk).get() is False
    assert len(mail.outbox) == 2


def test_an_empty_circle_is_passed_over(django_capture_on_commit_callbacks):
    gastro = specialist("IM-GI")
    family = specialist("FM")
    post = question("IM-CARD")  # no cardiologist: circle 2 at once
    post_question(post, django_capture_on_commit_callbacks)
    assert paged(post) == {gastro.pk: 2}  # not yet the family physician of circle 3
    assert family.pk not in paged(post)
    assert Post.objects.get(pk=post.pk).paged_circle == 2
    radiology = question("RAD")  # no radiologist, and RAD has no subspecialties
    nuclear = specialist("NM")
    post_question(radiology, django_capture_on_commit_callbacks)
    assert paged(radiology) == {nuclear.pk: 3}
    assert Post.objects.get(pk=radiology.pk).paged_circle == 3


def test_disabled_paging_is_never_paged(django_capture_on_commit_callbacks):
    quiet = specialist("IM-CARD")
    PagingPreference.objects.create(user=quiet, enabled=False)
    post = question("IM-CARD")
    post_question(post, django_capture_on_commit_callbacks)
    assert not paged(post)
    assert not Notification.objects.exists()


def test_daily_limit_counts_pages_in_the_last_24_hours():
    now = SEOUL_2330
    busy = specialist("IM-CARD")
    PagingPreference.objects.create(user=busy, max_per_day=2)
    for hours in (1, 23):
        Page.objects.create(
            post=question("IM-CARD"),
            specialist=busy,
            circle=1,
            created_at=now - timedelta(hours=hours),
        )
    post = question("IM-CARD")
    assert paging.page_circle(post_id=post.pk, circle=1, now=now) == 0
    assert busy.pk not in paged(post)

    # 25 hours later the first of those pages no longer counts.
    later = question("IM-CARD")
    assert paging.page_circle(post_id=later.pk, circle=1, now=now + timedelta(hours=2)) == 1
    assert paged(later) == {busy.pk: 1}


def test_skipped_at_the_limit_is_offered_the_next_circle(django_capture_on_commit_callbacks):
    now = SEOUL_2330
    busy = specialist("IM-CARD")
    specialist("IM-CARD")
    specialist("IM-GI")  # circle 2 is not empty
    PagingPreference.objects.create(user=busy, max_per_day=1)
    Page.objects.create(post=question("IM-CARD"), specialist=busy, circle=1, created_at=now)
    post = question("IM-CARD")
    paging.page_circle(post_id=post.pk, circle=1, now=now)
    assert busy.pk not in paged(post)
    paging.page_circle(post_id=post.pk, circle=2, now=now + timedelta(hours=25))
    assert paged(post)[busy.pk] == 2


def test_quiet_hours_page_in_app_without_email(django_capture_on_commit_callbacks):
    sleeper = specialist("IM-CARD")
    PagingPreference.objects.create(user=sleeper, quiet_start=time(22), quiet_end=time(7))
    awake = specialist("IM-CARD")
    post = question("IM-CARD")
    with django_capture_on_commit_callbacks(execute=True):
        assert paging.page_circle(post_id=post.pk, circle=1, now=SEOUL_2330) == 2
    assert set(paged(post)) == {sleeper.pk, awake.pk}
    assert Notification.objects.filter(recipient=sleeper, kind=NotificationKind.PAGED).exists()
    assert not Page.objects.get(specialist=sleeper).emailed
    assert Notification.objects.get(recipient=sleeper).emailed_at is None
    assert [m.to for m in mail.outbox] == [[awake.email]]


def test_paging_email_preference_is_respected(django_capture_on_commit_callbacks):
    no_mail = specialist("IM-CARD")
    NotificationPreference.objects.create(user=no_mail, kind=NotificationKind.PAGED, email=False)
    post = question("IM-CARD")
    post_question(post, django_capture_on_commit_callbacks)
    assert paged(post) == {no_mail.pk: 1}
    assert Notification.objects.filter(recipient=no_mail).exists()
    assert not mail.outbox


def test_anonymous_asker_is_not_named_in_pages_or_their_emails(
    django_capture_on_commit_callbacks,
):
    asker = specialist("IM-GI", full_name="숨은질문자", email="hidden.asker@example.kr")
    cardiologists = [specialist("IM-CARD", language=lang) for lang in ("ko", "en")]
    post = question("IM-CARD", author=asker, is_anonymous=True)
    post_question(post, django_capture_on_commit_callbacks)
    assert set(paged(post)) == {c.pk for c in cardiologists}
    for note in Notification.objects.select_related("recipient"):
        with translation.override(note.recipient.language):
            assert note.actor_display == identity.pseudonym().name
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        for secret in (asker.full_name, asker.email, asker.physician_profile.licence_number):
            assert secret not in message.subject
            assert secret not in message.body


# --- re-paging -------------------------------------------------------------------------


def _aged(post: Post, *, created_hours: float, paged_hours: float | None, circle: int) -> Post:
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(
        created_at=now - timedelta(hours=created_hours),
        last_paged_at=None if paged_hours is None else now - timedelta(hours=paged_hours),
        paged_circle=circle,
    )
    return post


def test_repage_pages_the_next_circle_of_unanswered_questions(
    django_capture_on_commit_callbacks,
):
    cardiologist = specialist("IM-CARD")
    internist = specialist("IM")
    due = _aged(question("IM-CARD"), created_hours=13, paged_hours=13, circle=1)
    Page.objects.create(post=due, specialist=cardiologist, circle=1)
    recent = _aged(question("IM-CARD"), created_hours=13, paged_hours=2, circle=1)
    young = _aged(question("IM-CARD"), created_hours=3, paged_hours=3, circle=1)
    answered = _aged(
        question("IM-CARD", answer_count=1), created_hours=13, paged_hours=13, circle=1
    )
    done = _aged(question("IM-CARD"), created_hours=40, paged_hours=13, circle=3)
    stale = _aged(question("IM-CARD"), created_hours=24 * 15, paged_hours=24 * 14, circle=1)
    hidden = _aged(question("IM-CARD", status="hidden"), created_hours=13, paged_hours=13, circle=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.repage_unanswered.delay().get() == 1
    assert paged(due) == {cardiologist.pk: 1, internist.pk: 2}
    assert Post.objects.get(pk=due.pk).paged_circle == 2
    for post in (recent, young, answered, done, stale, hidden):
        assert not paged(post)
    assert Notification.objects.filter(recipient=cardiologist).count() == 0  # not paged twice

    # Right after, it is not due again; once the wait is over it moves to circle 3, the last.
    assert paging.repage_unanswered() == []
    family = specialist("FM")
    later = timezone.now() + timedelta(hours=13)
    with django_capture_on_commit_callbacks(execute=True):
        assert due.pk in paging.repage_unanswered(now=later)
    assert paged(due)[family.pk] == 3
    assert Post.objects.get(pk=due.pk).paged_circle == 3
    assert due.pk not in paging.repage_unanswered(now=later + timedelta(hours=13))


def test_repage_wait_is_a_setting(settings):
    settings.HYBRIDMD_REPAGE_AFTER_HOURS = 2
    post = _aged(question("IM-CARD"), created_hours=3, paged_hours=3, circle=1)
    assert paging.repage_unanswered() == [post.pk]
    settings.HYBRIDMD_REPAGE_AFTER_HOURS = 12
    assert paging.repage_unanswered() == []


def test_a_question_never_paged_is_picked_up_by_repage(django_capture_on_commit_callbacks):
    cardiologist = specialist("IM-CARD")
    lost = _aged(question("IM-CARD"), created_hours=13, paged_hours=None, circle=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert paging.repage_unanswered() == [lost.pk]
    assert paged(lost) == {cardiologist.pk: 1}


def test_repage_is_scheduled_with_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["community-repage-unanswered"]
    assert entry["task"] == "community.repage_unanswered"
    assert entry["task"] in current_app.tasks
    assert settings.HYBRIDMD_REPAGE_AFTER_HOURS == 12
