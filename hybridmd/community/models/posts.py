"""Posts, answers and comments, and what members do to them (votes, bookmarks, reports).

Authors are stored as real users. Who is *shown* is decided only in
``community.identity``: an anonymous asker appears as a per-thread pseudonym.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hybridmd.accounts.models import Specialty
from hybridmd.community.models.boards import Board, Tag


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden pending review")
    REMOVED = "removed", _("Removed")


class Moderated(models.Model):
    status = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.VISIBLE, db_index=True
    )
    removed_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_visible(self) -> bool:
        return self.status == Visibility.VISIBLE


class Post(Moderated):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_anonymous = models.BooleanField(default=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    body_html = models.TextField(editable=False)
    specialty = models.ForeignKey(
        Specialty, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    accepted_answer = models.OneToOneField(
        "community.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    first_answer_at = models.DateTimeField(null=True, blank=True)
    paged_circle = models.PositiveSmallIntegerField(default=0)
    last_paged_at = models.DateTimeField(null=True, blank=True)
    # Events and web symposia
    event_starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    event_ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    event_url = models.URLField(_("event or stream link"), blank=True)
    registration_url = models.URLField(_("registration link"), blank=True)
    # Jobs
    job_location = models.CharField(_("location"), max_length=100, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = (
            models.Index(fields=("board", "status", "-created_at")),
            models.Index(fields=("specialty", "status", "-created_at")),
        )

    def __str__(self) -> str:
        return self.title


class PostAttachment(models.Model):
    """An ECG or image attached to a post: always the de-identified form."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.OneToOneField(
        "clinical_files.ClinicalFile", on_delete=models.PROTECT, related_name="post_attachment"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return f"{self.post_id}:{self.file_id}"


class PostRevision(models.Model):
    """The text before each edit: the history a reader can inspect."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class Answer(Moderated):
    """Always shown under the answerer's real name, specialty and facility."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("answer"))
    body_html = models.TextField(editable=False)
    score = models.IntegerField(default=0)

    class Meta:
        ordering = ("created_at",)
        indexes = (models.Index(fields=("post", "status", "created_at")),)

    def __str__(self) -> str:
        return f"answer {self.pk} on {self.post_id}"


class Comment(Moderated):
    """A comment on a post or on an answer; replies nest one level (``parent``)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    body_html = models.TextField(editable=False)

    class Meta:
        ordering = ("created_at",)
        indexes = (models.Index(fields=("post", "status", "created_at")),)

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.post_id}"


class Vote(models.Model):
    """An upvote on a post or an answer; one per member per item, enforced here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(post__isnull=False, answer__isnull=True)
                | Q(post__isnull=True, answer__isnull=False),
                name="vote_targets_one_item",
            ),
            models.UniqueConstraint(
                fields=("user", "post"), condition=Q(post__isnull=False), name="vote_once_per_post"
            ),
            models.UniqueConstraint(
                fields=("user", "answer"),
                condition=Q(answer__isnull=False),
                name="vote_once_per_answer",
            ),
        )

    def __str__(self) -> str:
        return f"vote {self.user_id} -> {self.post_id or self.answer_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "post"), name="bookmark_once"),)

    def __str__(self) -> str:
        return f"bookmark {self.user_id} -> {self.post_id}"


class Report(models.Model):
    """A member flags content; it is hidden until a moderator restores or removes it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("report status", "Open")
        RESTORED = "restored", _("Restored")
        REMOVED = "removed", _("Removed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("created_at",)
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, answer__isnull=True, comment__isnull=True)
                    | Q(post__isnull=True, answer__isnull=False, comment__isnull=True)
                    | Q(post__isnull=True, answer__isnull=True, comment__isnull=False)
                ),
                name="report_targets_one_item",
            ),
        )

    def __str__(self) -> str:
        return f"report {self.pk} ({self.status})"
