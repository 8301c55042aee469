"""Reads for the community pages and API. Authors are resolved through ``identity`` only."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Q, QuerySet, Value, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.community import fragments, identity
from hybridmd.community.models import (
    Answer,
    Board,
    Bookmark,
    Comment,
    Post,
    PostAttachment,
    PostRevision,
    Report,
    Visibility,
    Vote,
)

PAGE_SIZE = 20


def can_read_board(user: User, board: Board) -> bool:
    """Verified physicians read every board; partner consultants the boards they answer in."""
    return permissions.can_see_community(user) or permissions.has_perm(
        user, board.answer_permission
    )


def boards(user: User) -> list[Board]:
    return [board for board in Board.objects.all() if can_read_board(user, board)]


def board_by_slug(slug: str, user: User) -> Board:
    board = Board.objects.filter(slug=slug).first()
    if board is None:
        raise Http404(_("There is no such board."))
    if not can_read_board(user, board):
        raise PermissionDenied(_("Only verified physicians can read the community."))
    return board


def _post_list(posts: QuerySet[Post]) -> QuerySet[Post]:
    # Lists show no bodies; authors' profiles come in small follow-up queries rather than
    # one wide join, which PostgreSQL plans slowly on large tables.
    return (
        posts.filter(status=Visibility.VISIBLE)
        .defer("body", "body_html")
        .select_related("board", "specialty", "author")
        .prefetch_related("tags", *identity.AUTHOR_RELATED)
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class PostPage:
    """One page of a list, found without counting the whole board."""

    posts: list[Post]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number(raw: str | None) -> int:
    """A list page number from the query string; anything odd is the first page."""
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10_000 else 1


def page_of(posts: QuerySet[Post], number: str | None) -> PostPage:
    page = page_number(number)
    start = (page - 1) * PAGE_SIZE
    rows = list(posts[start : start + PAGE_SIZE + 1])
    return PostPage(posts=rows[:PAGE_SIZE], number=page, has_next=len(rows) > PAGE_SIZE)


@dataclass(frozen=True)
class PostFilters:
    specialty: str = ""
    tag: str = ""
    answered: bool | None = None


def board_posts(board: Board, filters: PostFilters | None = None) -> QuerySet[Post]:
    posts = Post.objects.filter(board=board)
    filters = filters or PostFilters()
    if filters.specialty:
        posts = posts.filter(
            Q(specialty__code=filters.specialty) | Q(specialty__parent__code=filters.specialty)
        )
    if filters.tag:
        posts = posts.filter(tags__name=filters.tag)
    if filters.answered is True:
        posts = posts.filter(answer_count__gt=0)
    elif filters.answered is False:
        posts = posts.filter(answer_count=0)
    return _post_list(posts)


def recent_posts(readable: list[Board], limit: int = 10) -> QuerySet[Post]:
    return _post_list(Post.objects.filter(board__in=readable))[:limit]


@dataclass
class CommentView:
    comment: Comment
    author: identity.AuthorView
    replies: list[CommentView] = field(default_factory=list)


@dataclass
class AnswerView:
    answer: Answer
    author: identity.AuthorView
    comments: list[CommentView] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.answer.post.accepted_answer_id == self.answer.pk


@dataclass
class ThreadHead:
    """A post and what the viewer has done in its thread."""

    post: Post
    viewer_is_author: bool
    bookmarked: bool
    voted: bool
    voted_answers: frozenset[int]


@dataclass
class ThreadBody:
    """The answers and comments of a thread: the same for every reader."""

    answers: list[AnswerView]
    comments: list[CommentView]


@dataclass
class ThreadView:
    head: ThreadHead
    body: ThreadBody

    @property
    def post(self) -> Post:
        return self.head.post

    @property
    def author(self) -> identity.AuthorView:
        return identity.post_author(self.head.post)

    @property
    def answers(self) -> list[AnswerView]:
        return self.body.answers

    @property
    def comments(self) -> list[CommentView]:
        return self.body.comments


def _thread_comments(
    post: Post, comments: list[Comment]
) -> tuple[list[CommentView], dict[int, list[CommentView]]]:
    views = {c.pk: CommentView(c, identity.comment_author(c, post)) for c in comments}
    on_post: list[CommentView] = []
    on_answers: dict[int, list[CommentView]] = {}
    for comment in comments:
        view = views[comment.pk]
        if comment.parent_id is not None and comment.parent_id in views:
            views[comment.parent_id].replies.append(view)
        elif comment.answer_id is not None:
            on_answers.setdefault(comment.answer_id, []).append(view)
        else:
            on_post.append(view)
    return on_post, on_answers


def _post_row(public_id: UUID | str) -> Post | None:
    # Author, specialty and tags are not joined: callers that show them call
    # ``with_shown_details``. PostgreSQL plans one wide join of post, board, author and
    # profiles slower than it runs narrow queries, and Django builds it slower too.
    return Post.objects.select_related("board", "poll").filter(public_id=public_id).first()


def _readable(post: Post | None, viewer: User) -> Post:
    if post is None or post.status == Visibility.REMOVED:
        if not permissions.can_see_community(viewer):
            raise PermissionDenied(_("Only verified physicians can read the community."))
        raise Http404(_("This post does not exist or was removed."))
    if not can_read_board(viewer, post.board):
        raise PermissionDenied(_("Only verified physicians can read the community."))
    if (
        post.status == Visibility.HIDDEN
        and post.author_id != viewer.pk
        and not permissions.has_perm(viewer, "community.moderate")
    ):
        raise Http404(_("This post is hidden while a moderator reviews it."))
    return post


def post_for_reader(public_id: UUID | str, viewer: User) -> Post:
    """The post, if the viewer may read it (else 403 or 404); with its board and poll."""
    return _readable(_post_row(public_id), viewer)


def with_shown_details(post: Post) -> Post:
    """Fetch what a post is shown with: specialty, tags, and the author with profiles."""
    prefetch_related_objects([post], "specialty", "tags", identity.author_prefetch())
    return post


def thread_head(public_id: UUID | str, viewer: User) -> ThreadHead:
    """The post the viewer may read, and the viewer's votes and bookmark in its thread.

    The post row comes from the cache while its thread is unchanged (every save of the
    post bumps the thread's generation); who may read it is decided here every time.
    """
    row = fragments.cached_object(
        "post",
        parts=(str(public_id),),
        scopes=[fragments.thread_scope(public_id)],
        load=lambda: _post_row(public_id),
    )
    post = _readable(row, viewer)
    # One round trip for all three: ("vote", None) is a vote on the post,
    # ("vote", answer id) one on an answer, ("bookmark", None) the bookmark.
    votes = (
        Vote.objects.filter(user=viewer)
        .filter(Q(post=post) | Q(answer__post=post))
        .annotate(mark=Value("vote"))
        .values_list("mark", "answer_id")
    )
    bookmark = (
        Bookmark.objects.filter(user=viewer, post=post)
        .annotate(mark=Value("bookmark"), nothing=Value(None, output_field=IntegerField()))
        .values_list("mark", "nothing")
    )
    marks: list[tuple[str, int | None]] = list(votes.union(bookmark, all=True))
    return ThreadHead(
        post=post,
        viewer_is_author=post.author_id == viewer.pk,
        bookmarked=("bookmark", None) in marks,
        voted=("vote", None) in marks,
        voted_answers=frozenset(answer_id for mark, answer_id in marks if answer_id is not None),
    )


def thread_body(post: Post) -> ThreadBody:
    """Visible answers (the accepted one first) and comments, with authors: four queries."""
    answers = list(
        Answer.objects.filter(post=post, status=Visibility.VISIBLE)
        .prefetch_related(identity.author_prefetch())
        .order_by("created_at", "pk")
    )
    for answer in answers:
        answer.post = post
    comments = list(
        Comment.objects.filter(post=post, status=Visibility.VISIBLE)
        .prefetch_related(identity.author_prefetch())
        .order_by("created_at", "pk")
    )
    on_post, on_answers = _thread_comments(post, comments)
    answer_views = [
        AnswerView(a, identity.answer_author(a), on_answers.get(a.pk, [])) for a in answers
    ]
    if post.accepted_answer_id:
        answer_views.sort(key=lambda view: not view.accepted)
    return ThreadBody(answers=answer_views, comments=on_post)


def thread(public_id: UUID | str, viewer: User) -> ThreadView:
    """A post with its visible answers and comments, in a fixed number of queries."""
    head = thread_head(public_id, viewer)
    with_shown_details(head.post)
    return ThreadView(head=head, body=thread_body(head.post))


def attachments(post: Post) -> list[PostAttachment]:
    """The post's ECG and image files, published (withdrawn ones are left out)."""
    return list(
        post.attachments.select_related("file").filter(file__status=ClinicalFile.Status.PUBLISHED)
    )


def revision_count(post: Post) -> int:
    return PostRevision.objects.filter(post=post).count()


def revisions(post: Post) -> QuerySet[PostRevision]:
    return PostRevision.objects.filter(post=post).order_by("-created_at")


def bookmarks_of(user: User) -> QuerySet[Post]:
    return _post_list(
        Post.objects.filter(pk__in=Bookmark.objects.filter(user=user).values("post_id"))
    )


def moderation_queue() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related("reporter", "post", "answer__post", "comment__post")
        .order_by("created_at")
    )


@dataclass
class MemberPage:
    member: identity.AuthorView
    posts: list[Post]
    answers: list[Answer]


def member_page(user_id: int, viewer: User) -> MemberPage:
    """A member's public page: real-name posts and answers only, never anonymous ones."""
    permissions.require(
        viewer,
        permissions.COMMUNITY_VIEW,
        message=_("Only verified physicians can read the community."),
    )
    member = (
        User.objects.select_related(
            "physician_profile__specialty", "physician_profile__facility", "consultant_profile"
        )
        .filter(pk=user_id, is_active=True)
        .first()
    )
    if member is None:
        raise Http404(_("There is no such member."))
    posts = list(_post_list(Post.objects.filter(author=member, is_anonymous=False))[:50])
    answers = list(
        Answer.objects.filter(
            author=member, status=Visibility.VISIBLE, post__status=Visibility.VISIBLE
        )
        .select_related("post", "post__board")
        .order_by("-created_at")[:50]
    )
    return MemberPage(identity.real_author(member), posts, answers)
