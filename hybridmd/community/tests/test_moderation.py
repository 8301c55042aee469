"""Reports hide content until a moderator restores or removes it; revealing an asker is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from hybridmd.accounts.tests.factories import UserFactory, grant_role, with_totp
from hybridmd.audit.models import AuditEvent
from hybridmd.community.models import Report, Visibility
from hybridmd.community.tests.factories import (
    AnswerFactory,
    CommentFactory,
    PostFactory,
    verified_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = UserFactory(full_name="모더")
    grant_role(user, "moderator")
    with_totp(user)
    return user


def _report(client, post, kind, target, reason="광고성 글입니다"):
    return client.post(
        reverse("community_report", args=[post.public_id]),
        {"kind": kind, "target": target, "reason": reason},
    )


@pytest.mark.parametrize("kind", ["post", "answer", "comment"])
def test_report_hides_then_moderator_restores(client, moderator, kind):
    post = PostFactory()
    item: Any = {
        "post": post,
        "answer": AnswerFactory(post=post),
        "comment": CommentFactory(post=post),
    }[kind]
    reporter = verified_user()
    client.force_login(reporter)
    _report(client, post, kind, item.pk)
    item.refresh_from_db()
    assert item.status == Visibility.HIDDEN
    report = Report.objects.get()

    client.force_login(moderator)
    queue = client.get(reverse("community_moderation"))
    assert queue.status_code == 200
    response = client.post(
        reverse("community_moderation"), {"report": report.pk, "decision": "restore", "note": ""}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    report.refresh_from_db()
    assert item.status == Visibility.VISIBLE
    assert report.status == Report.Status.RESTORED
    assert AuditEvent.objects.filter(
        action="community.report_restored", actor_id=moderator.pk
    ).exists()


def test_remove_needs_a_reason(client, moderator):
    post = PostFactory()
    client.force_login(verified_user())
    _report(client, post, "post", post.pk)
    report = Report.objects.get()
    client.force_login(moderator)
    response = client.post(
        reverse("community_moderation"), {"report": report.pk, "decision": "remove", "note": ""}
    )
    assert response.status_code == 422
    post.refresh_from_db()
    assert post.status == Visibility.HIDDEN
    client.post(
        reverse("community_moderation"), {"report": report.pk, "decision": "remove", "note": "광고"}
    )
    post.refresh_from_db()
    assert (post.status, post.removed_reason) == (Visibility.REMOVED, "광고")
    # Removed content is gone for readers.
    client.force_login(verified_user())
    assert client.get(reverse("community_post", args=[post.public_id])).status_code == 404


def test_hidden_post_is_404_for_readers_but_visible_to_its_author(client):
    author = verified_user()
    post = PostFactory(author=author, status=Visibility.HIDDEN)
    client.force_login(verified_user())
    assert client.get(reverse("community_post", args=[post.public_id])).status_code == 404
    client.force_login(author)
    page = client.get(reverse("community_post", args=[post.public_id]))
    assert page.status_code == 200


def test_reporting_twice_is_a_conflict(client):
    post = PostFactory()
    client.force_login(verified_user())
    _report(client, post, "post", post.pk)
    _report(client, post, "post", post.pk)
    assert Report.objects.count() == 1


def test_report_without_reason_is_refused(client):
    post = PostFactory()
    client.force_login(verified_user())
    _report(client, post, "post", post.pk, reason="")
    assert not Report.objects.exists()
    post.refresh_from_db()
    assert post.status == Visibility.VISIBLE


def test_members_cannot_moderate(client):
    client.force_login(verified_user())
    assert client.get(reverse("community_moderation")).status_code == 403


def test_only_moderators_reveal_an_asker_and_each_look_is_audited(client, moderator):
    asker = verified_user(user__full_name="홍비밀")
    post = PostFactory(author=asker, is_anonymous=True)
    url = reverse("community_reveal_asker", args=[post.public_id])
    client.force_login(verified_user())
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(action="community.asker_revealed").exists()
    client.force_login(moderator)
    page = client.get(reverse("community_post", args=[post.public_id])).content.decode()
    assert "홍비밀" not in page  # not even moderators see it without asking
    response = client.post(url)
    assert response.status_code == 200
    assert "홍비밀" in response.content.decode()
    event = AuditEvent.objects.get(action="community.asker_revealed")
    assert (event.actor_id, event.target_id) == (moderator.pk, str(post.pk))
