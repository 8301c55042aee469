"""Every write to clinical files: ingest an upload, confirm its de-identification,
publish it with a post, open the original (audited)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User
from hybridmd.audit import services as audit
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.engines.intake import pipeline
from hybridmd.engines.intake.archives import IncomingFile

UPLOAD_PERMISSION = "cases.upload"


@dataclass(frozen=True)
class Refusal:
    name: str  # de-identified
    reason: str


@dataclass
class IngestOutcome:
    files: list[ClinicalFile] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    skipped: list[Refusal] = field(default_factory=list)


def upload_too_large(*, content_length: int, file_sizes: Iterable[int]) -> str | None:
    """Why an upload is refused for its size (checked before it is read), or None."""
    limit = settings.HYBRIDMD_CLINICAL_UPLOAD_MAX_BYTES
    if content_length > limit:
        return _("These files add up to more than %(mb)s MB; send fewer at a time.") % {
            "mb": limit // 2**20
        }
    per_file = settings.HYBRIDMD_CLINICAL_FILE_MAX_BYTES
    if any(size > per_file for size in file_sizes):
        return _("A file is larger than %(mb)s MB.") % {"mb": per_file // 2**20}
    return None


def batch_secret(uploader: User, batch: uuid.UUID) -> bytes:
    """The salt for re-mapping DICOM UIDs: the same for every request of one batch."""
    message = f"clinical-batch:{uploader.pk}:{batch}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


@contextmanager
def _files_removed_on_error(fields: Sequence[FieldFile]) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for stored in fields:
            if stored.name:
                stored.storage.delete(stored.name)
        raise


def _store(item: pipeline.Processed, *, uploader: User, batch: uuid.UUID) -> ClinicalFile:
    row = ClinicalFile(
        uploader=uploader,
        batch=batch,
        kind=item.kind,
        source_format=item.source_format,
        display_name=item.display_name,
        byte_size=len(item.original[1]),
        sha256=hashlib.sha256(item.original[1]).hexdigest(),
        summary=item.summary,
        deid_report=item.report.as_dict(),
    )
    stored = [row.original, row.canonical, row.rendering, row.thumbnail]
    with _files_removed_on_error(stored), transaction.atomic():
        row.original.save(item.original[0], ContentFile(item.original[1]), save=False)
        row.canonical.save(item.canonical[0], ContentFile(item.canonical[1]), save=False)
        row.rendering.save(item.rendering[0], ContentFile(item.rendering[1]), save=False)
        row.thumbnail.save(item.thumbnail[0], ContentFile(item.thumbnail[1]), save=False)
        row.save()
        audit.record(
            uploader,
            "clinical_file.uploaded",
            row,
            detail={"kind": row.kind, "format": row.source_format, "bytes": row.byte_size},
        )
    return row


def files_ingest(
    *,
    uploader: User,
    batch: uuid.UUID,
    files: Iterable[IncomingFile],
    fs: float | None = None,
) -> IngestOutcome:
    """Read, de-identify and store each record; refuse the unreadable ones with a reason.

    Each record is stored whole or not at all (its row and all four files); one bad file
    does not stop the others.
    """
    permissions.require(
        uploader, UPLOAD_PERMISSION, message=_("Only verified physicians can upload cases.")
    )
    try:
        result = pipeline.process(
            list(files),
            uid_salt=batch_secret(uploader, batch),
            fs=fs,
            max_total_bytes=settings.HYBRIDMD_CLINICAL_UPLOAD_MAX_BYTES,
        )
    except pipeline.IntakeError as exc:
        raise ValidationError(str(exc), code="refused") from exc
    outcome = IngestOutcome(
        refused=[Refusal(r.name, r.reason) for r in result.refused],
        skipped=[Refusal(s.name, s.reason) for s in result.skipped],
    )
    for item in result.processed:
        outcome.files.append(_store(item, uploader=uploader, batch=batch))
    return outcome


def _own_file(uploader: User, public_id: uuid.UUID | str) -> ClinicalFile:
    row = ClinicalFile.objects.select_for_update().filter(public_id=public_id).first()
    if row is None or row.status == ClinicalFile.Status.WITHDRAWN:
        raise Http404(_("This file does not exist."))
    if row.uploader_id != uploader.pk:
        raise PermissionDenied(_("Only the uploader can do this."))
    return row


@transaction.atomic
def files_publish(
    *, uploader: User, public_ids: Sequence[uuid.UUID | str], confirmed: Iterable[str]
) -> list[ClinicalFile]:
    """Publish the uploader's files with a post. A file whose de-identification report
    asks for a look must be in ``confirmed`` (the uploader ticked it)."""
    confirmed_ids = {str(c) for c in confirmed}
    rows = [_own_file(uploader, public_id) for public_id in public_ids]
    unconfirmed = [
        r for r in rows if r.needs_confirmation and str(r.public_id) not in confirmed_ids
    ]
    if unconfirmed:
        raise ValidationError(
            _("Check the de-identification of %(names)s and tick that you did.")
            % {"names": ", ".join(r.display_name for r in unconfirmed)},
            code="unconfirmed",
        )
    now = timezone.now()
    for row in rows:
        if row.status == ClinicalFile.Status.PUBLISHED:
            raise ValidationError(
                _("%(name)s is already attached to a post.") % {"name": row.display_name},
                code="published",
            )
        row.status = ClinicalFile.Status.PUBLISHED
        if row.needs_confirmation:
            row.confirmed_at = now
        row.save(update_fields=["status", "confirmed_at"])
        audit.record(uploader, "clinical_file.published", row)
    return rows


@transaction.atomic
def files_withdraw(*, actor: User | None, public_ids: Sequence[uuid.UUID | str]) -> int:
    """Hide files from everyone (their post was removed); the originals stay private."""
    count = ClinicalFile.objects.filter(public_id__in=public_ids).update(
        status=ClinicalFile.Status.WITHDRAWN
    )
    for public_id in public_ids:
        audit.record(actor, "clinical_file.withdrawn", ("clinical_files.ClinicalFile", public_id))
    return count


def original_open(
    *, viewer: User, public_id: uuid.UUID | str, request: HttpRequest | None = None
) -> tuple[ClinicalFile, bytes]:
    """The original bytes, for the uploader only; every opening is audit-recorded."""
    row = ClinicalFile.objects.filter(public_id=public_id).first()
    if row is None:
        raise Http404(_("This file does not exist."))
    if row.uploader_id != viewer.pk:
        raise PermissionDenied(_("Only the uploader can open the original."))
    with row.original.open("rb") as handle:
        data = handle.read()
    audit.record(viewer, "clinical_file.original_opened", row, request=request)
    return row, data
