"""Boards are data (``data/boards.json``): each says who may post and who may answer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hybridmd.accounts.models import LocalizedName


class Board(LocalizedName):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Questions and answers")
        DISCUSSION = "discussion", _("Discussion")
        LISTING = "listing", _("Listings")
        EVENT = "event", _("Events")

    slug = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description_ko = models.CharField(max_length=300, blank=True)
    description_en = models.CharField(max_length=300, blank=True)
    post_permission = models.CharField(max_length=60)
    answer_permission = models.CharField(max_length=60)
    allows_anonymous = models.BooleanField(default=False)
    allows_polls = models.BooleanField(default=False)
    allows_files = models.BooleanField(default=False)  # ECG and image attachments
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("sort_order",)
        verbose_name = _("board")
        verbose_name_plural = _("boards")

    @property
    def description(self) -> str:
        english = (get_language() or "ko").startswith("en")
        return self.description_en if english else self.description_ko

    @property
    def takes_answers(self) -> bool:
        return self.kind == self.Kind.QUESTION


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name
