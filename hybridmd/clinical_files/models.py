"""ECG and image uploads: the private original and its de-identified, canonical form.

The original (which may carry patient identity) is kept only in the
``clinical_originals`` storage, is never served to the community, and every access to
it is audit-recorded. Everything the community sees is derived from the de-identified
form: the canonical file (DICOM, or PNG for photos), the rendering (ECG SVG or window
PNG) and the thumbnail.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def _originals() -> Storage:
    return storages["clinical_originals"]


def _original_path(instance: ClinicalFile, filename: str) -> str:
    return f"originals/{instance.public_id}/{filename}"


def _derived_path(instance: ClinicalFile, filename: str) -> str:
    return f"clinical/{instance.public_id}/{filename}"


class ClinicalFile(models.Model):
    class Kind(models.TextChoices):
        ECG = "ecg", _("ECG")
        IMAGE = "image", _("Image")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: the uploader has not published it yet")
        PUBLISHED = "published", _("Published with a post")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinical_files"
    )
    # Files uploaded together (one post's attachments) share a batch: DICOM UIDs are
    # re-mapped consistently within it.
    batch = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source_format = models.CharField(max_length=20)
    display_name = models.CharField(max_length=120)  # de-identified file name
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)  # of the original bytes
    summary = models.JSONField(default=dict)  # what the reader understood, no identity
    deid_report = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    original = models.FileField(storage=_originals, upload_to=_original_path, max_length=200)
    canonical = models.FileField(upload_to=_derived_path, max_length=200)
    rendering = models.FileField(upload_to=_derived_path, max_length=200)
    thumbnail = models.FileField(upload_to=_derived_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("clinical file")
        verbose_name_plural = _("clinical files")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.deid_report.get("needs_confirmation")) and self.confirmed_at is None
