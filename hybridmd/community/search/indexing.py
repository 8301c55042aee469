"""Keeping ``SearchEntry`` in step with posts, answers and comments.

A row exists exactly for each *visible* item; ``visible`` on the row says whether its
thread can be seen (post visible and, for a comment on an answer, that answer
visible). Indexing any item refreshes the thread-level fields (board, specialty,
tags, answered, visibility) of every row of its thread, so hiding a post hides its
answers and comments from search without re-analysing their text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from hybridmd.community import fragments
from hybridmd.community.models import Answer, Comment, Post, SearchEntry, Visibility
from hybridmd.community.rendering import plain_text as _sanitised_text
from hybridmd.community.search import schema
from hybridmd.engines.documents.korean_terms import index_terms

Kind = SearchEntry.Kind


@dataclass(frozen=True)
class Thread:
    board_id: int
    specialty_id: int | None
    tags: str
    answered: bool
    visible: bool

    def fields(self) -> dict[str, Any]:
        return {
            "board_id": self.board_id,
            "specialty_id": self.specialty_id,
            "tags": self.tags,
            "answered": self.answered,
        }


def wrap_tags(names: Iterable[str]) -> str:
    """Tag names as stored for filtering: "\\nECG\\n흉통\\n" (empty when there are none)."""
    cleaned = sorted({" ".join(name.split()) for name in names} - {""})
    return "\n" + "\n".join(cleaned) + "\n" if cleaned else ""


def _thread(post: Post) -> Thread:
    answered = Answer.objects.filter(post_id=post.pk, status=Visibility.VISIBLE).exists()
    return Thread(
        board_id=post.board_id,
        specialty_id=post.specialty_id,
        tags=wrap_tags(post.tags.values_list("name", flat=True)),
        answered=answered,
        visible=post.is_visible,
    )


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, with nh3's entities (&lt;, &amp;) turned back into text."""
    return html.unescape(_sanitised_text(markdown))


def _title(post: Post) -> str:
    return " ".join(post.title.split())


def entry(
    *, kind: str, object_id: int, post: Post, thread: Thread, created_at: datetime,
    title: str, text: str, visible: bool,
) -> SearchEntry:  # fmt: skip
    """An unsaved row for one item; ``title`` is searched with more weight."""
    title_terms = index_terms(title) if title else []
    return SearchEntry(
        kind=kind,
        object_id=object_id,
        post_id=post.pk,
        **thread.fields(),
        visible=visible,
        created_at=created_at,
        title_terms=" ".join(title_terms),
        terms=" ".join(title_terms + index_terms(text)),
        snippet_source=f"{title}\n\n{text}" if title else text,
    )


def _save(row: SearchEntry) -> None:
    defaults = {
        field.attname: getattr(row, field.attname)
        for field in SearchEntry._meta.concrete_fields
        if field.attname not in {"id", "kind", "object_id"}
    }
    SearchEntry.objects.update_or_create(kind=row.kind, object_id=row.object_id, defaults=defaults)
    fragments.bump(fragments.SEARCH)


def _drop(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()
    fragments.bump(fragments.SEARCH)


def _refresh_thread(post: Post, thread: Thread) -> None:
    rows = SearchEntry.objects.filter(post_id=post.pk)
    rows.update(**thread.fields(), visible=thread.visible)
    fragments.bump(fragments.SEARCH)
    if thread.visible:
        hidden_answers = Answer.objects.filter(post_id=post.pk).exclude(status=Visibility.VISIBLE)
        on_hidden = Comment.objects.filter(answer__in=hidden_answers).values("pk")
        rows.filter(kind=Kind.COMMENT, object_id__in=on_hidden).update(visible=False)


@transaction.atomic
def index_post(post: Post) -> None:
    """Add, update or (when not visible) drop the post; refresh its thread's rows."""
    thread = _thread(post)
    if post.is_visible:
        _save(
            entry(
                kind=Kind.POST,
                object_id=post.pk,
                post=post,
                thread=thread,
                created_at=post.created_at,
                title=_title(post),
                text=plain_text(post.body),
                visible=True,
            )
        )
    else:
        _drop(Kind.POST, post.pk)
    _refresh_thread(post, thread)


@transaction.atomic
def index_answer(answer: Answer) -> None:
    """Add, update or drop the answer; the thread's answered flag follows."""
    post = answer.post
    thread = _thread(post)
    if answer.is_visible:
        _save(
            entry(
                kind=Kind.ANSWER,
                object_id=answer.pk,
                post=post,
                thread=thread,
                created_at=answer.created_at,
                title="",
                text=plain_text(answer.body),
                visible=thread.visible,
            )
        )
    else:
        _drop(Kind.ANSWER, answer.pk)
    _refresh_thread(post, thread)


@transaction.atomic
def index_comment(comment: Comment) -> None:
    """Add, update or drop the comment."""
    if not comment.is_visible:
        _drop(Kind.COMMENT, comment.pk)
        return
    post = comment.post
    thread = _thread(post)
    answer_visible = comment.answer is None or comment.answer.is_visible
    _save(
        entry(
            kind=Kind.COMMENT,
            object_id=comment.pk,
            post=post,
            thread=thread,
            created_at=comment.created_at,
            title="",
            text=plain_text(comment.body),
            visible=thread.visible and answer_visible,
        )
    )


def _batches(size: int) -> Iterator[list[Post]]:
    last = 0
    while True:
        posts = list(
            Post.objects.filter(pk__gt=last, status=Visibility.VISIBLE)
            .order_by("pk")
            .prefetch_related("tags")[:size]
        )
        if not posts:
            return
        yield posts
        last = posts[-1].pk


def _batch_rows(posts: list[Post]) -> list[SearchEntry]:
    visible = Visibility.VISIBLE
    answers = list(Answer.objects.filter(post__in=posts, status=visible))
    comments = Comment.objects.filter(post__in=posts, status=visible).select_related("answer")
    answered = {a.post_id for a in answers}
    threads = {
        p.pk: Thread(
            board_id=p.board_id,
            specialty_id=p.specialty_id,
            tags=wrap_tags(t.name for t in p.tags.all()),
            answered=p.pk in answered,
            visible=True,
        )
        for p in posts
    }
    by_id = {p.pk: p for p in posts}
    rows = [
        entry(
            kind=Kind.POST,
            object_id=p.pk,
            post=p,
            thread=threads[p.pk],
            created_at=p.created_at,
            title=_title(p),
            text=plain_text(p.body),
            visible=True,
        )
        for p in posts
    ]
    rows += [
        entry(
            kind=Kind.ANSWER,
            object_id=a.pk,
            post=by_id[a.post_id],
            thread=threads[a.post_id],
            created_at=a.created_at,
            title="",
            text=plain_text(a.body),
            visible=True,
        )
        for a in answers
    ]
    rows += [
        entry(
            kind=Kind.COMMENT,
            object_id=c.pk,
            post=by_id[c.post_id],
            thread=threads[c.post_id],
            created_at=c.created_at,
            title="",
            text=plain_text(c.body),
            visible=c.answer is None or c.answer.is_visible,
        )
        for c in comments
    ]
    return rows


@transaction.atomic
def reindex_all(*, batch_size: int = 200) -> int:
    """Rebuild the whole index (posts in batches of ``batch_size``); returns the row count."""
    schema.install(connection)
    SearchEntry.objects.all().delete()
    count = 0
    for posts in _batches(batch_size):
        rows = _batch_rows(posts)
        SearchEntry.objects.bulk_create(rows, batch_size=500)
        count += len(rows)
    schema.rebuild(connection)
    fragments.bump(fragments.SEARCH)
    return count


def index_item(kind: str, object_id: int) -> bool:
    """(Re)index one item by kind and id; an item that no longer exists leaves the index."""
    item: Post | Answer | Comment | None
    if kind == "post":
        item = Post.objects.filter(pk=object_id).first()
    elif kind == "answer":
        item = Answer.objects.filter(pk=object_id).first()
    else:
        item = Comment.objects.filter(pk=object_id).first()
    if item is None:
        _drop(kind, object_id)
        return False
    if isinstance(item, Post):
        index_post(item)
    elif isinstance(item, Answer):
        index_answer(item)
    else:
        index_comment(item)
    return True
