"""Korean and English full-text search over posts, answers and comments. (Being built.)"""

from __future__ import annotations

from hybridmd.community.models import Answer, Comment, Post


def index_post(post: Post) -> None:
    """Add, update or (when not visible) drop the post in the index."""


def index_answer(answer: Answer) -> None:
    """Add, update or drop the answer."""


def index_comment(comment: Comment) -> None:
    """Add, update or drop the comment."""
