"""Specialty paging. (Being built: bodies are filled in this change.)"""

from __future__ import annotations

from hybridmd.community.models import Post


def question_posted(post: Post) -> None:
    """Page the first circle of specialists for a new question with a specialty."""
