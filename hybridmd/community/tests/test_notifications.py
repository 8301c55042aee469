"""Notifications: who is told what, their emails, the list, the badge and the preferences."""

from __future__ import annotations

from datetime import time

import pytest
from django.core import mail
from django.urls import include, path, reverse

from hybridmd.accounts.models import Specialty
from hybridmd.accounts.tests.factories import PhysicianFactory
from hybridmd.community import tasks
from hybridmd.community.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    PagingPreference,
    Post,
)
from hybridmd.community.services import posts
from hybridmd.community.tests.factories import AnswerFactory, PostFactory, board, verified_user

# The project URLs plus this module's pages, whether or not the project includes them yet.
urlpatterns = [
    path("community/", include("hybridmd.community.urls_notifications")),
    path("", include("hybridmd.config.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def member(**user):
    return verified_user(**{f"user__{k}": v for k, v in user.items()})


def secrets(user) -> list[str]:
    return [user.full_name, user.email, user.physician_profile.licence_number]


@pytest.fixture
def asker():
    return member(full_name="숨은질문자", email="hidden.asker@example.kr", language="en")


@pytest.fixture
def anonymous_question(asker):
    return PostFactory(author=asker, is_anonymous=True, title="익명 흉통 질문", specialty=None)


def _answer(post, author, capture):
    with capture(execute=True):
        return posts.answer_create(author=author, post_id=post.pk, body="관상동맥 CT를 권합니다.")


# --- who is told what --------------------------------------------------------------------


def test_answer_tells_the_asker_with_the_answerers_real_name(
    asker, anonymous_question, django_capture_on_commit_callbacks
):
    answerer = member(full_name="김답변", language="en")
    _answer(anonymous_question, answerer, django_capture_on_commit_callbacks)
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.post) == (asker, "answered", anonymous_question)
    assert note.actor_display == "김답변"
    (message,) = mail.outbox
    assert message.to == [asker.email]
    assert "Your question was answered" in message.subject
    assert "김답변" in message.body
    assert f"/community/p/{anonymous_question.public_id}/" in message.body


def test_accepting_tells_the_answerer_only_the_pseudonym(
    asker, anonymous_question, django_capture_on_commit_callbacks
):
    answerer = member(language="en")
    answer = _answer(anonymous_question, answerer, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        posts.answer_accept(asker=asker, answer_id=answer.pk)
    note = Notification.objects.get(kind=NotificationKind.ACCEPTED)
    assert note.recipient == answerer
    assert note.actor_display == "Asker"
    (message,) = mail.outbox
    assert message.to == [answerer.email]
    assert "Asker accepted your answer" in message.body
    for secret in secrets(asker):
        assert secret not in message.subject
        assert secret not in message.body


def test_accepting_a_named_question_shows_the_askers_name(django_capture_on_commit_callbacks):
    named = member(full_name="실명질문자")
    post = PostFactory(author=named)
    answer = AnswerFactory(post=post)
    with django_capture_on_commit_callbacks(execute=True):
        posts.answer_accept(asker=named, answer_id=answer.pk)
    assert Notification.objects.get(kind="accepted").actor_display == "실명질문자"


def test_comments_tell_the_post_and_answer_authors_but_not_the_writer(
    asker, anonymous_question, django_capture_on_commit_callbacks
):
    answerer = member(language="en")
    answer = AnswerFactory(post=anonymous_question, author=answerer)
    reader = member(full_name="댓글러")
    with django_capture_on_commit_callbacks(execute=True):
        posts.comment_create(
            author=asker, post_id=anonymous_question.pk, answer_id=answer.pk, body="감사합니다"
        )
    (note,) = Notification.objects.all()
    assert note.recipient == answerer
    assert note.kind == NotificationKind.COMMENTED
    assert note.actor_display == "Asker"  # the asker's own comment keeps the pseudonym
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        posts.comment_create(
            author=reader, post_id=anonymous_question.pk, answer_id=answer.pk, body="동의합니다"
        )
    notes = Notification.objects.order_by("recipient_id")
    assert {n.recipient for n in notes} == {asker, answerer}
    assert {n.actor_display for n in notes} == {"댓글러"}

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        posts.comment_create(author=reader, post_id=anonymous_question.pk, body="질문입니다")
    assert [n.recipient for n in Notification.objects.all()] == [asker]


def test_email_follows_preferences_but_in_app_always_arrives(
    asker, anonymous_question, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=asker, kind="answered", email=False)
    _answer(anonymous_question, member(), django_capture_on_commit_callbacks)
    note = Notification.objects.get()
    assert note.recipient == asker
    assert note.emailed_at is None
    assert not mail.outbox


def test_no_email_about_a_post_removed_meanwhile_and_never_twice(
    asker, anonymous_question, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        posts.answer_create(author=member(), post_id=anonymous_question.pk, body="답")
    note = Notification.objects.get()
    Post.objects.filter(pk=anonymous_question.pk).update(status="removed")
    assert tasks.notification_email.delay(note.pk).get() is False
    Post.objects.filter(pk=anonymous_question.pk).update(status="visible")
    assert tasks.notification_email.delay(note.pk).get() is True
    assert tasks.notification_email.delay(note.pk).get() is False
    assert len(mail.outbox) == 1
    assert tasks.notification_email.delay(10**9).get() is False


def test_a_full_anonymous_thread_never_names_the_asker_to_others(
    asker, django_capture_on_commit_callbacks
):
    cardiology = Specialty.objects.get(code="IM-CARD")
    specialists = [
        PhysicianFactory(verified=True, specialty=cardiology, user__language=lang).user
        for lang in ("ko", "en")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.post_create(
            author=asker,
            board=board("qna"),
            title="익명 ECG 질문",
            body="ST 분절이 애매합니다.",
            specialty=cardiology,
            anonymous=True,
        )
    answer = _answer(post, specialists[0], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        posts.comment_create(author=asker, post_id=post.pk, answer_id=answer.pk, body="추가로")
        posts.comment_create(author=specialists[1], post_id=post.pk, body="저도 봅니다")
        posts.answer_accept(asker=asker, answer_id=answer.pk)

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"paged", "answered", "accepted", "commented"}
    to_others = Notification.objects.exclude(recipient=asker)
    assert to_others.count() >= 4
    for note in to_others:
        for secret in secrets(asker):
            assert secret not in note.actor_display
    others_mail = [m for m in mail.outbox if m.to != [asker.email]]
    assert len(others_mail) >= 4
    for message in others_mail:
        for secret in secrets(asker):
            assert secret not in message.subject
            assert secret not in message.body


# --- pages --------------------------------------------------------------------------------


@pytest.fixture
def reader(client):
    user = member(language="en")
    client.force_login(user)
    return user


def _notify(recipient, n: int = 1, **kwargs) -> list[Notification]:
    return [
        Notification.objects.create(
            recipient=recipient,
            kind=kwargs.get("kind", NotificationKind.ANSWERED),
            post=kwargs.get("post") or PostFactory(title=f"질문 {i}"),
            actor_display="김답변",
        )
        for i in range(n)
    ]


def _post_of(note: Notification) -> Post:
    assert note.post is not None
    return note.post


def test_list_links_each_item_and_marks_all_read(client, reader):
    first, second = _notify(reader, 2)
    titles = {note.pk: _post_of(note) for note in (first, second)}
    hidden = _notify(reader, post=PostFactory(title="지워진 글", status="removed"))[0]
    _notify(member())  # someone else's
    page = client.get(reverse("notifications_list")).content.decode()
    for note in (first, second):
        assert reverse("notifications_open", args=[note.pk]) in page
        assert titles[note.pk].title in page
    assert "지워진 글" not in page
    assert reverse("notifications_open", args=[hidden.pk]) not in page

    response = client.get(reverse("notifications_open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/community/p/{titles[first.pk].public_id}/"
    first.refresh_from_db()
    assert first.read_at is not None
    other = Notification.objects.exclude(recipient=reader).get()
    assert client.get(reverse("notifications_open", args=[other.pk])).status_code == 404

    response = client.post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_list_needs_a_verified_member(client):
    response = client.get(reverse("notifications_list"))
    assert response.status_code == 302
    client.force_login(PhysicianFactory().user)
    assert client.get(reverse("notifications_list")).status_code == 403
    assert client.get(reverse("answer_rate_dashboard")).status_code == 403


def test_badge_shows_the_unread_count_and_polls(client, reader):
    _notify(reader, 3)
    response = client.get(reverse("notifications_badge"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 30s"' in html
    assert 'data-testid="notification-count">3<' in html
    assert len(html) < 800
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    html = client.get(reverse("notifications_badge")).content.decode()
    assert "notification-count" not in html


def test_navigation_loads_the_badge_for_members_only(client, reader):
    home = client.get(reverse("home")).content.decode()
    assert reverse("notifications_list") in home
    assert 'hx-trigger="load, every 30s"' in home
    client.force_login(PhysicianFactory().user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("notifications_badge") not in home


def test_badge_stops_polling_when_signed_out(client):
    assert client.get(reverse("notifications_badge")).status_code == 286


def test_notification_list_query_count_is_constant(client, reader, django_assert_max_num_queries):
    _notify(reader, 2)
    with django_assert_max_num_queries(8) as small:
        assert client.get(reverse("notifications_list")).status_code == 200
    _notify(reader, 25, kind=NotificationKind.PAGED)
    with django_assert_max_num_queries(8) as large:
        assert client.get(reverse("notifications_list")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- preferences ------------------------------------------------------------------------------


def test_specialist_sets_email_and_paging_preferences(client, reader):
    url = reverse("notifications_preferences")
    page = client.get(url).content.decode()
    assert 'name="max_per_day"' in page
    assert 'name="email_answered"' in page
    data = {
        "email_paged": "on",
        "email_accepted": "on",
        "paging_enabled": "on",
        "max_per_day": "3",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    assert client.post(url, data).status_code == 302
    prefs = dict(NotificationPreference.objects.filter(user=reader).values_list("kind", "email"))
    assert prefs == {"answered": False, "commented": False, "moderated": False}
    paging = PagingPreference.objects.get(user=reader)
    assert (paging.enabled, paging.max_per_day) == (True, 3)
    assert (paging.quiet_start, paging.quiet_end) == (time(22), time(7))
    page = client.get(url).content.decode()
    assert 'value="22:00"' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_per_day": "51"}, "max_per_day"),
        ({"max_per_day": "-1"}, "max_per_day"),
        ({"max_per_day": ""}, "max_per_day"),
        ({"quiet_start": "22:00", "quiet_end": ""}, "quiet_end"),
        ({"quiet_start": "", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
    ],
)
def test_preferences_are_validated(client, reader, changes, field):
    data = {"paging_enabled": "on", "max_per_day": "5", "quiet_start": "", "quiet_end": ""}
    data.update(changes)
    response = client.post(reverse("notifications_preferences"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PagingPreference.objects.exists()


def test_general_practitioner_has_no_paging_settings(client):
    gp = verified_user(specialty=None)
    client.force_login(gp)
    url = reverse("notifications_preferences")
    assert 'name="max_per_day"' not in client.get(url).content.decode()
    assert client.post(url, {"email_answered": "on"}).status_code == 302
    assert not PagingPreference.objects.exists()
    assert NotificationPreference.objects.get(user=gp, kind="commented").email is False
