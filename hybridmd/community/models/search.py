"""The search index: one row per visible post, answer or comment.

The full-text structures are vendor-specific and live outside the model state
(migration ``0003_search``): on SQLite an FTS5 table ``community_searchfts`` kept in
step by triggers; on PostgreSQL a generated ``search_vector`` tsvector column with a
GIN index. Both are built from ``title_terms`` and ``terms``, which
``community.search`` fills from ``engines.documents.korean_terms``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hybridmd.accounts.models import Specialty
from hybridmd.community.models.boards import Board
from hybridmd.community.models.posts import Post


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        POST = "post", "post"
        ANSWER = "answer", "answer"
        COMMENT = "comment", "comment"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    # Thread-level fields, copied from the post and refreshed whenever it is indexed.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    specialty = models.ForeignKey(
        Specialty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.TextField(blank=True)  # "\n"-wrapped tag names: "\nECG\n흉통\n"
    answered = models.BooleanField(default=False)  # the thread has a visible answer
    visible = models.BooleanField(default=True)  # the thread (and parent answer) is visible
    created_at = models.DateTimeField(default=timezone.now)
    # What is searched and shown. Never an author's name.
    title_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    snippet_source = models.TextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("kind", "object_id"), name="search_entry_once"),
        )
        indexes = (models.Index(fields=("visible", "created_at"), name="search_entry_recent"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
