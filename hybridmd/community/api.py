"""Community API: the same permission and anonymity rules as the HTML pages."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from hybridmd.accounts import permissions
from hybridmd.accounts.models import Specialty, as_user
from hybridmd.community import identity, selectors
from hybridmd.community.models import Post
from hybridmd.community.services import posts as post_services

router = Router(tags=["community"], auth=django_auth)


class AuthorOut(Schema):
    name: str
    specialty: str
    affiliation: str
    is_pseudonym: bool
    member_id: int | None


def _author(view: identity.AuthorView) -> AuthorOut:
    return AuthorOut(
        name=view.name,
        specialty=view.specialty,
        affiliation=view.affiliation,
        is_pseudonym=view.is_pseudonym,
        member_id=view.user_id,
    )


class BoardOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    allows_anonymous: bool


class PostSummaryOut(Schema):
    id: UUID
    board: str
    title: str
    author: AuthorOut
    specialty: str | None
    tags: list[str]
    answer_count: int
    accepted: bool
    score: int
    created_at: datetime


class CommentOut(Schema):
    id: int
    author: AuthorOut
    body_html: str
    created_at: datetime
    replies: list[CommentOut] = []


class AnswerOut(Schema):
    id: int
    author: AuthorOut
    body_html: str
    score: int
    accepted: bool
    created_at: datetime
    comments: list[CommentOut]


class PostOut(PostSummaryOut):
    body_html: str
    comments: list[CommentOut]
    answers: list[AnswerOut]


def _summary(post: Post, author: identity.AuthorView) -> PostSummaryOut:
    return PostSummaryOut(
        id=post.public_id,
        board=post.board.slug,
        title=post.title,
        author=_author(author),
        specialty=post.specialty.code if post.specialty else None,
        tags=[t.name for t in post.tags.all()],
        answer_count=post.answer_count,
        accepted=post.accepted_answer_id is not None,
        score=post.score,
        created_at=post.created_at,
    )


def _comment(view: selectors.CommentView) -> CommentOut:
    return CommentOut(
        id=view.comment.pk,
        author=_author(view.author),
        body_html=view.comment.body_html,
        created_at=view.comment.created_at,
        replies=[_comment(r) for r in view.replies],
    )


@router.get("/boards", response=list[BoardOut], summary="Boards")
def board_list(request: HttpRequest) -> list[BoardOut]:
    readable = selectors.boards(as_user(request.user))
    if not readable:
        raise PermissionDenied(_("Only verified physicians can read the community."))
    return [
        BoardOut(
            slug=b.slug,
            name=b.name,
            kind=b.kind,
            description=b.description,
            allows_anonymous=b.allows_anonymous,
        )
        for b in readable
    ]


@router.get("/boards/{slug}/posts", response=list[PostSummaryOut], summary="Posts on a board")
def board_posts(request: HttpRequest, slug: str, page: int = 1) -> list[PostSummaryOut]:
    board = selectors.board_by_slug(slug, as_user(request.user))
    page = max(page, 1)
    start = (page - 1) * selectors.PAGE_SIZE
    posts = selectors.board_posts(board)[start : start + selectors.PAGE_SIZE]
    return [_summary(p, identity.post_author(p)) for p in posts]


class PostIn(Schema):
    title: str = Field(max_length=post_services.TITLE_MAX)
    body: str = Field(max_length=post_services.POST_BODY_MAX)
    specialty: str | None = None
    tags: list[str] = []
    anonymous: bool = False


def _post_out(public_id: UUID, request: HttpRequest) -> PostOut:
    view = selectors.thread(public_id, as_user(request.user))
    return PostOut(
        **_summary(view.post, view.author).model_dump(),
        body_html=view.post.body_html,
        comments=[_comment(c) for c in view.comments],
        answers=[
            AnswerOut(
                id=a.answer.pk,
                author=_author(a.author),
                body_html=a.answer.body_html,
                score=a.answer.score,
                accepted=a.accepted,
                created_at=a.answer.created_at,
                comments=[_comment(c) for c in a.comments],
            )
            for a in view.answers
        ],
    )


@router.post(
    "/boards/{slug}/posts", response={201: PostOut}, summary="Write a post or ask a question"
)
def post_create(request: HttpRequest, slug: str, payload: PostIn) -> Status[PostOut]:
    board = selectors.board_by_slug(slug, as_user(request.user))
    specialty = (
        Specialty.objects.filter(code=payload.specialty).first() if payload.specialty else None
    )
    post = post_services.post_create(
        author=as_user(request.user),
        board=board,
        title=payload.title,
        body=payload.body,
        specialty=specialty,
        tags=payload.tags,
        anonymous=payload.anonymous,
        request=request,
    )
    return Status(201, _post_out(post.public_id, request))


@router.get("/posts/{public_id}", response=PostOut, summary="A post with its answers and comments")
def post_read(request: HttpRequest, public_id: UUID) -> PostOut:
    return _post_out(public_id, request)


class TextIn(Schema):
    body: str = Field(max_length=post_services.ANSWER_BODY_MAX)


class CommentIn(Schema):
    body: str = Field(max_length=post_services.COMMENT_BODY_MAX)
    answer: int | None = None
    parent: int | None = None


@router.post("/posts/{public_id}/answers", response={201: PostOut}, summary="Answer a question")
def answer_create(request: HttpRequest, public_id: UUID, payload: TextIn) -> Status[PostOut]:
    post = selectors.post_for_reader(public_id, as_user(request.user))
    post_services.answer_create(
        author=as_user(request.user), post_id=post.pk, body=payload.body, request=request
    )
    return Status(201, _post_out(public_id, request))


@router.post("/posts/{public_id}/comments", response={201: PostOut}, summary="Comment")
def comment_create(request: HttpRequest, public_id: UUID, payload: CommentIn) -> Status[PostOut]:
    post = selectors.post_for_reader(public_id, as_user(request.user))
    post_services.comment_create(
        author=as_user(request.user),
        post_id=post.pk,
        body=payload.body,
        answer_id=payload.answer,
        parent_id=payload.parent,
        request=request,
    )
    return Status(201, _post_out(public_id, request))


class ScoreOut(Schema):
    score: int


@router.post("/posts/{public_id}/vote", response=ScoreOut, summary="Upvote a post")
def post_vote(request: HttpRequest, public_id: UUID) -> ScoreOut:
    post = selectors.post_for_reader(public_id, as_user(request.user))
    return ScoreOut(score=post_services.vote_add(voter=as_user(request.user), post_id=post.pk))


@router.post("/answers/{answer_id}/vote", response=ScoreOut, summary="Upvote an answer")
def answer_vote(request: HttpRequest, answer_id: int) -> ScoreOut:
    permissions.require(
        as_user(request.user),
        permissions.COMMUNITY_VIEW,
        message=_("Only verified physicians can read the community."),
    )
    return ScoreOut(score=post_services.vote_add(voter=as_user(request.user), answer_id=answer_id))


@router.post(
    "/answers/{answer_id}/accept", response=PostOut, summary="Accept an answer (asker only)"
)
def answer_accept(request: HttpRequest, answer_id: int) -> PostOut:
    answer = post_services.answer_accept(
        asker=as_user(request.user), answer_id=answer_id, request=request
    )
    return _post_out(answer.post.public_id, request)
