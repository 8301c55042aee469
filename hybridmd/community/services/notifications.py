"""In-app notifications and their emails. (Being built: bodies are filled in this change.)"""

from __future__ import annotations

from hybridmd.community.models import Answer, Comment


def answer_posted(answer: Answer) -> None:
    """Tell the asker their question has a new answer."""


def answer_accepted(answer: Answer) -> None:
    """Tell the answerer the asker accepted their answer."""


def comment_posted(comment: Comment) -> None:
    """Tell the post's author (and the answer's author) about a new comment."""
