"""In-app notifications, email preferences per event, and specialty paging settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hybridmd.community.models.posts import Post


class NotificationKind(models.TextChoices):
    PAGED = "paged", _("A question in your specialty")
    ANSWERED = "answered", _("Your question was answered")
    ACCEPTED = "accepted", _("Your answer was accepted")
    COMMENTED = "commented", _("New comment on your post")
    MODERATED = "moderated", _("Moderation decision on your content")


class Notification(models.Model):
    """``actor_display`` is already what the recipient may see (pseudonym or real name)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor_display = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("recipient", "read_at")),)

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"


class NotificationPreference(models.Model):
    """Email on or off per kind of event; in-app notifications always arrive."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "kind"), name="one_preference_per_kind"),
        )

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} email={self.email}"


class PagingPreference(models.Model):
    """How often a specialist may be paged, and the hours (KST) when they are not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(_("page me for questions in my specialty"), default=True)
    max_per_day = models.PositiveSmallIntegerField(_("at most this many pages a day"), default=5)
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)

    def __str__(self) -> str:
        return f"paging {self.user_id}"


class Page(models.Model):
    """One specialist paged for one question, in one circle; never paged twice for it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="pages")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    circle = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("post", "specialist"), name="page_once"),)

    def __str__(self) -> str:
        return f"page {self.post_id} -> {self.specialist_id} (circle {self.circle})"
