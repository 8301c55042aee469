"""Every saved or deleted post, answer, comment or vote invalidates its cached pages.

Receivers rather than calls in each service, so that writes from the admin, data fixes
and factories invalidate too. Writes through ``QuerySet.update()`` send no signal: the
services that use it (counters, scores) always save or create a row of the same thread
in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from hybridmd.community import fragments
from hybridmd.community.models import Answer, Comment, Post, Vote


def _post_changed(post_id: int) -> None:
    found = Post.objects.filter(pk=post_id).values_list("public_id", "board_id").first()
    if found is None:  # deleted with its post, whose own signal invalidated the pages
        return
    public_id, board_id = found
    fragments.bump(fragments.thread_scope(public_id), fragments.board_scope(board_id))


def _on_post(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    fragments.bump(
        fragments.thread_scope(instance.public_id), fragments.board_scope(instance.board_id)
    )


def _on_reply(sender: type[Answer | Comment], instance: Answer | Comment, **kwargs: Any) -> None:
    _post_changed(instance.post_id)


def _on_vote(sender: type[Vote], instance: Vote, **kwargs: Any) -> None:
    if instance.post_id is not None:
        _post_changed(instance.post_id)
        return
    answers = Answer.objects.filter(pk=instance.answer_id or 0)
    post_id = answers.values_list("post_id", flat=True).first()
    if post_id is not None:
        _post_changed(post_id)


def _on_tags(sender: type[Any], instance: Any, action: str, **kwargs: Any) -> None:
    if isinstance(instance, Post) and action.startswith("post_"):
        _on_post(Post, instance)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_on_post, sender=Post, dispatch_uid="fragments-post")
        signal.connect(_on_reply, sender=Answer, dispatch_uid="fragments-answer")
        signal.connect(_on_reply, sender=Comment, dispatch_uid="fragments-comment")
        signal.connect(_on_vote, sender=Vote, dispatch_uid="fragments-vote")
    m2m_changed.connect(_on_tags, sender=Post.tags.through, dispatch_uid="fragments-tags")
