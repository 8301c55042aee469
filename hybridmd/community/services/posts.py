"""Writing posts, answers and comments; votes, bookmarks and accepting an answer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hybridmd.accounts import permissions
from hybridmd.accounts.models import Specialty, User
from hybridmd.audit import services as audit
from hybridmd.clinical_files import services as clinical_files
from hybridmd.community.errors import ConflictError
from hybridmd.community.models import (
    Answer,
    Board,
    Bookmark,
    Comment,
    Post,
    PostAttachment,
    PostRevision,
    Tag,
    Visibility,
    Vote,
)
from hybridmd.community.rendering import render_markdown
from hybridmd.community.services import notifications, paging
from hybridmd.community.services.indexing import index_soon
from hybridmd.engines.documents.deid import find_identifiers

TITLE_MAX = 200
POST_BODY_MAX = 20_000
ANSWER_BODY_MAX = 10_000
COMMENT_BODY_MAX = 2_000
TAGS_MAX = 5
TAG_LENGTH_MAX = 30


@dataclass(frozen=True)
class EventDetails:
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str = ""
    registration_url: str = ""


def _text(value: str, *, field: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("%(label)s cannot be empty.") % {"label": label}})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("%(label)s is %(length)s characters long; the limit is %(limit)s.")
                % {"label": label, "length": f"{len(value):,}", "limit": f"{limit:,}"}
            }
        )
    _refuse_patient_identifiers(value, field=field)
    return value


# Identifiers that have no place in a community text, whatever the board; phone numbers
# and e-mail addresses are left alone (job and event posts carry them legitimately).
_PATIENT_IDENTIFIERS = {
    "rrn": _lazy("a resident registration number"),
    "patient_id": _lazy("a patient number"),
    "birth_date": _lazy("a date of birth"),
    "name": _lazy("a patient's name"),
}


def _refuse_patient_identifiers(text: str, *, field: str) -> None:
    found = [
        i
        for i in find_identifiers(text, kinds=tuple(_PATIENT_IDENTIFIERS))
        if i.certainty == "certain"
    ]
    if found:
        first = found[0]
        raise ValidationError(
            {
                field: _(
                    "This looks like %(what)s (at character %(at)s); remove it: patients must"
                    " not be identifiable in the community."
                )
                % {"what": _PATIENT_IDENTIFIERS[first.kind], "at": first.start + 1}
            }
        )


def _tags(names: Iterable[str]) -> list[Tag]:
    cleaned: list[str] = []
    for raw in names:
        name = raw.strip().lstrip("#").strip()
        if name and name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > TAGS_MAX:
        raise ValidationError({"tags": _("Use at most %(n)s tags.") % {"n": TAGS_MAX}})
    if any(len(name) > TAG_LENGTH_MAX for name in cleaned):
        raise ValidationError(
            {"tags": _("A tag is at most %(n)s characters.") % {"n": TAG_LENGTH_MAX}}
        )
    return [Tag.objects.get_or_create(name=name)[0] for name in cleaned]


def _require_board(user: User, board: Board, perm: str) -> None:
    if not permissions.has_perm(user, perm):
        raise PermissionDenied(
            _("You cannot do this on the board %(board)s.") % {"board": board.name}
        )


def visible_post(post_id: int, *, lock: bool = False) -> Post:
    posts = Post.objects.select_related("board")
    if lock:
        posts = posts.select_for_update()
    post = posts.filter(pk=post_id, status=Visibility.VISIBLE).first()
    if post is None:
        raise Http404(_("This post does not exist or was removed."))
    return post


def _validate_event(board: Board, event: EventDetails) -> None:
    if board.kind != Board.Kind.EVENT:
        return
    if event.starts_at is None:
        raise ValidationError({"event_starts_at": _("Give the date and time the event starts.")})
    if event.ends_at is not None and event.ends_at < event.starts_at:
        raise ValidationError({"event_ends_at": _("The event cannot end before it starts.")})


@transaction.atomic
def post_create(
    *,
    author: User,
    board: Board,
    title: str,
    body: str,
    specialty: Specialty | None = None,
    tags: Iterable[str] = (),
    anonymous: bool = False,
    event: EventDetails | None = None,
    job_location: str = "",
    attachments: Sequence[str] = (),
    confirmed: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Post:
    """Write a post; ``attachments`` are the author's uploaded clinical files (public ids),
    published with it once each file's de-identification is ``confirmed`` where asked."""
    _require_board(author, board, board.post_permission)
    if attachments and not board.allows_files:
        raise ValidationError(_("This board does not take ECG or image files."))
    if anonymous and not board.allows_anonymous:
        raise ValidationError({"anonymous": _("This board does not take anonymous posts.")})
    event = event or EventDetails()
    _validate_event(board, event)
    body = _text(body, field="body", limit=POST_BODY_MAX, label=_("The text"))
    post = Post.objects.create(
        board=board,
        author=author,
        is_anonymous=anonymous,
        title=_text(title, field="title", limit=TITLE_MAX, label=_("The title")),
        body=body,
        body_html=render_markdown(body),
        specialty=specialty,
        event_starts_at=event.starts_at,
        event_ends_at=event.ends_at,
        event_url=event.url,
        registration_url=event.registration_url,
        job_location=job_location.strip()[:100],
    )
    post.tags.set(_tags(tags))
    if attachments:
        files = clinical_files.files_publish(
            uploader=author, public_ids=attachments, confirmed=confirmed
        )
        PostAttachment.objects.bulk_create(
            PostAttachment(post=post, file=file, position=n) for n, file in enumerate(files)
        )
    audit.record(
        author, "community.post_created", post, request=request, detail={"board": board.slug}
    )
    index_soon(post)
    if board.takes_answers:
        paging.question_posted(post)
    return post


@transaction.atomic
def post_edit(
    *,
    editor: User,
    post_id: int,
    title: str,
    body: str,
    specialty: Specialty | None,
    tags: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Post:
    """Only the author edits; the previous text is kept as a revision anyone can read."""
    post = visible_post(post_id, lock=True)
    if post.author_id != editor.pk:
        raise PermissionDenied(_("Only the author can edit this post."))
    new_title = _text(title, field="title", limit=TITLE_MAX, label=_("The title"))
    new_body = _text(body, field="body", limit=POST_BODY_MAX, label=_("The text"))
    PostRevision.objects.create(post=post, editor=editor, title=post.title, body=post.body)
    post.title, post.body, post.body_html = new_title, new_body, render_markdown(new_body)
    post.specialty = specialty
    post.updated_at = timezone.now()
    post.save(update_fields=["title", "body", "body_html", "specialty", "updated_at"])
    post.tags.set(_tags(tags))
    audit.record(editor, "community.post_edited", post, request=request)
    index_soon(post)
    return post


@transaction.atomic
def answer_create(
    *, author: User, post_id: int, body: str, request: HttpRequest | None = None
) -> Answer:
    post = visible_post(post_id, lock=True)
    if not post.board.takes_answers:
        raise ValidationError(_("Posts on this board take comments, not answers."))
    _require_board(author, post.board, post.board.answer_permission)
    if post.author_id == author.pk:
        raise PermissionDenied(
            _(
                "Answers carry the answerer's real name, so you cannot answer your own "
                "question; add a comment instead."
            )
        )
    body = _text(body, field="body", limit=ANSWER_BODY_MAX, label=_("The answer"))
    answer = Answer.objects.create(
        post=post, author=author, body=body, body_html=render_markdown(body)
    )
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(answer_count=F("answer_count") + 1)
    Post.objects.filter(pk=post.pk, first_answer_at__isnull=True).update(first_answer_at=now)
    audit.record(
        author, "community.answer_created", answer, request=request, detail={"post": post.pk}
    )
    index_soon(answer)
    notifications.answer_posted(answer)
    return answer


@transaction.atomic
def answer_accept(*, asker: User, answer_id: int, request: HttpRequest | None = None) -> Answer:
    answer = Answer.objects.select_related("post", "post__board").filter(pk=answer_id).first()
    if answer is None or not answer.is_visible:
        raise Http404(_("This answer does not exist or was removed."))
    post = visible_post(answer.post_id, lock=True)
    if post.author_id != asker.pk:
        raise PermissionDenied(_("Only the asker can accept an answer."))
    if post.accepted_answer_id is not None:
        raise ConflictError(
            _("You have already accepted an answer to this question."), code="accepted"
        )
    post.accepted_answer = answer
    post.save(update_fields=["accepted_answer"])
    audit.record(
        asker, "community.answer_accepted", answer, request=request, detail={"post": post.pk}
    )
    index_soon(post)
    notifications.answer_accepted(answer)
    return answer


@transaction.atomic
def comment_create(
    *,
    author: User,
    post_id: int,
    body: str,
    answer_id: int | None = None,
    parent_id: int | None = None,
    request: HttpRequest | None = None,
) -> Comment:
    post = visible_post(post_id)
    if not (
        permissions.can_see_community(author)
        or permissions.has_perm(author, post.board.answer_permission)
    ):
        raise PermissionDenied(_("Only verified physicians can use the community."))
    answer = None
    if answer_id is not None:
        answer = Answer.objects.filter(pk=answer_id, post=post, status=Visibility.VISIBLE).first()
        if answer is None:
            raise Http404(_("This answer does not exist or was removed."))
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, post=post, status=Visibility.VISIBLE).first()
        if parent is None:
            raise Http404(_("The comment you reply to does not exist or was removed."))
        if parent.parent_id is not None:
            parent = parent.parent  # replies nest one level: attach to the thread's top comment
        answer = parent.answer if parent else answer
    body = _text(body, field="body", limit=COMMENT_BODY_MAX, label=_("The comment"))
    comment = Comment.objects.create(
        post=post,
        answer=answer,
        parent=parent,
        author=author,
        body=body,
        body_html=render_markdown(body),
    )
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    audit.record(
        author, "community.comment_created", comment, request=request, detail={"post": post.pk}
    )
    index_soon(comment)
    notifications.comment_posted(comment)
    return comment


def _vote_target(post_id: int | None, answer_id: int | None) -> tuple[Post | None, Answer | None]:
    if (post_id is None) == (answer_id is None):
        raise ValidationError(_("An upvote is for one post or one answer."))
    if post_id is not None:
        return visible_post(post_id), None
    answer = Answer.objects.filter(pk=answer_id or 0, status=Visibility.VISIBLE).first()
    if answer is None:
        raise Http404(_("This answer does not exist or was removed."))
    return None, answer


def vote_add(*, voter: User, post_id: int | None = None, answer_id: int | None = None) -> int:
    """Upvote once; returns the new score. A second vote is a 409, not a silent no-op."""
    permissions.require(
        voter,
        permissions.COMMUNITY_VIEW,
        message=_("Only verified physicians can use the community."),
    )
    post, answer = _vote_target(post_id, answer_id)
    target = post if post is not None else answer
    assert target is not None  # noqa: S101 -- _vote_target returns exactly one
    if target.author_id == voter.pk:
        raise PermissionDenied(_("You cannot upvote your own post or answer."))
    model = Post if post is not None else Answer
    try:
        with transaction.atomic():
            Vote.objects.create(user=voter, post=post, answer=answer)
            model.objects.filter(pk=target.pk).update(score=F("score") + 1)
    except IntegrityError as exc:
        raise ConflictError(_("You have already voted for this."), code="voted") from exc
    return int(model.objects.values_list("score", flat=True).get(pk=target.pk))


def bookmark_toggle(*, user: User, post_id: int) -> bool:
    """Bookmark or un-bookmark; returns whether the post is bookmarked now."""
    permissions.require(
        user,
        permissions.COMMUNITY_VIEW,
        message=_("Only verified physicians can use the community."),
    )
    post = visible_post(post_id)
    with transaction.atomic():
        deleted, _rows = Bookmark.objects.filter(user=user, post=post).delete()
        if deleted:
            return False
        Bookmark.objects.create(user=user, post=post)
    return True
