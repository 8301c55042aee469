"""In-app notifications and their emails.

The post services call ``answer_posted``, ``answer_accepted`` and ``comment_posted``
inside their transaction: the in-app rows are written there (and roll back with the
answer or comment), the emails are queued with ``transaction.on_commit``.

Anonymity: ``actor_display`` is worked out here, in the recipient's language, only
through ``community.identity``; an anonymous asker is always the thread pseudonym. The
email task renders nothing about the actor but ``actor_display``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hybridmd.accounts.models import User
from hybridmd.audit import services as audit
from hybridmd.community import identity
from hybridmd.community import selectors_notifications as selectors
from hybridmd.community.models import (
    Answer,
    Comment,
    Notification,
    NotificationKind,
    NotificationPreference,
    Page,
    Post,
)


def queue_emails(notification_ids: Iterable[int]) -> None:
    """Queue one email task per notification once the caller's transaction commits."""
    ids = list(notification_ids)
    if not ids:
        return
    from hybridmd.community import tasks  # noqa: PLC0415 -- tasks.py imports this module

    def send() -> None:
        for notification_id in ids:
            tasks.notification_email.delay(notification_id)

    transaction.on_commit(send)


def notification_create(
    *, recipient: User, kind: NotificationKind, post: Post, actor_display: str
) -> Notification:
    """One in-app notification; its email follows after commit (if the member wants it)."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, post=post, actor_display=actor_display[:200]
    )
    queue_emails([notification.pk])
    return notification


def answer_posted(answer: Answer) -> None:
    """Tell the asker their question has a new answer (answers carry real names)."""
    post = answer.post
    if answer.author_id == post.author_id:
        return
    asker = post.author
    with translation.override(asker.language):
        actor = identity.answer_author(answer).name
    notification_create(
        recipient=asker, kind=NotificationKind.ANSWERED, post=post, actor_display=actor
    )


def answer_accepted(answer: Answer) -> None:
    """Tell the answerer the asker accepted their answer: the asker's pseudonym if anonymous."""
    post = answer.post
    if answer.author_id == post.author_id:
        return
    answerer = answer.author
    with translation.override(answerer.language):
        actor = identity.post_author(post).name
    notification_create(
        recipient=answerer, kind=NotificationKind.ACCEPTED, post=post, actor_display=actor
    )


def comment_posted(comment: Comment) -> None:
    """Tell the post's author (and the answer's author) about a new comment, not the writer."""
    post = comment.post
    recipients: dict[int, User] = {}
    if post.author_id != comment.author_id:
        recipients[post.author_id] = post.author
    answer = comment.answer
    if answer is not None and answer.author_id != comment.author_id:
        recipients.setdefault(answer.author_id, answer.author)
    for recipient in recipients.values():
        with translation.override(recipient.language):
            actor = identity.comment_author(comment, post).name
        notification_create(
            recipient=recipient, kind=NotificationKind.COMMENTED, post=post, actor_display=actor
        )


# --- the email ------------------------------------------------------------------------


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, at most once; ``False`` when there is nothing to send.

    Checked again here, not only when queued: the member's email preference, that they
    are still active and that the post is still visible (a hidden or removed post's
    title is mailed only to its author, in a moderation notice).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "post__board", "post__specialty")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        post, recipient = notification.post, notification.recipient
        if post is None or not recipient.is_active:
            return False
        if not post.is_visible and notification.kind != NotificationKind.MODERATED:
            return False
        if not selectors.email_wanted(recipient.pk, notification.kind):
            return False
        site = settings.HYBRIDMD_SITE_URL.rstrip("/")
        with translation.override(recipient.language):
            context = {
                "recipient_name": recipient.full_name,
                "actor": notification.actor_display,
                "title": post.title,
                "board": post.board.name,
                "specialty": post.specialty.name if post.specialty else "",
                "post_url": site + selectors.post_path(post.public_id),
                "preferences_url": site + selectors.preferences_path(),
            }
            template = f"community/email/{notification.kind}"
            subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
            body = render_to_string(f"{template}_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        if notification.kind == NotificationKind.PAGED:
            Page.objects.filter(post_id=post.pk, specialist_id=recipient.pk).update(emailed=True)
    return True


# --- reading and preferences ----------------------------------------------------------


def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notification_open(*, user: User, notification_id: int) -> Notification:
    """Mark one of the member's own notifications read; ``DoesNotExist`` for anyone else's."""
    notification = Notification.objects.select_related("post").get(
        pk=notification_id, recipient=user
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def email_preferences_update(
    *, user: User, email_by_kind: Mapping[str, bool], request: HttpRequest | None = None
) -> dict[str, bool]:
    """Turn email on or off per kind of event; in-app notifications always arrive."""
    unknown = set(email_by_kind) - set(NotificationKind.values)
    if unknown:
        raise ValidationError(_("Unknown kind of notification."), code="unknown_kind")
    before = selectors.email_preferences(user)
    changed = {k: v for k, v in email_by_kind.items() if before[k] != v}
    for kind, email in changed.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": email}
        )
    if changed:
        audit.record(
            user,
            "community.email_preferences_updated",
            user,
            detail={"email": changed},
            request=request,
        )
    return {**before, **changed}
