"""``/api/v1/files``: upload ECG and image files, read what was made of them.

The same intake as the case form: each record is read, de-identified and rendered, or
refused with the reader's reason. Files stay the uploader's until a post publishes them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from hybridmd.accounts.models import as_user
from hybridmd.clinical_files import selectors, services
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.engines.intake.archives import IncomingFile, safe_name

router = Router(tags=["clinical files"], auth=django_auth)


class FileOut(Schema):
    id: uuid.UUID
    kind: str
    format: str
    name: str
    status: str
    summary: dict[str, Any]
    deid_report: dict[str, Any]
    needs_confirmation: bool
    rendering_url: str
    thumbnail_url: str


class RefusalOut(Schema):
    name: str
    reason: str


class UploadOut(Schema):
    batch: uuid.UUID
    files: list[FileOut]
    refused: list[RefusalOut]
    skipped: list[RefusalOut]


def _file_out(row: ClinicalFile) -> FileOut:
    return FileOut(
        id=row.public_id,
        kind=row.kind,
        format=row.source_format,
        name=row.display_name,
        status=row.status,
        summary=row.summary,
        deid_report=row.deid_report,
        needs_confirmation=row.needs_confirmation,
        rendering_url=reverse("clinical_file_rendering", args=[row.public_id]),
        thumbnail_url=reverse("clinical_file_thumbnail", args=[row.public_id]),
    )


@router.post(
    "/files",
    response={201: UploadOut},
    summary="Upload ECG or image files (DICOM, WFDB, HL7 aECG, CSV, PNG/JPEG, ZIP)",
)
def files_upload(
    request: HttpRequest,
    files: File[list[UploadedFile]],
    batch: Form[uuid.UUID | None] = None,
    fs: Form[float | None] = None,
) -> Status[UploadOut]:
    too_large = services.upload_too_large(
        content_length=int(request.META.get("CONTENT_LENGTH") or 0),
        file_sizes=[f.size or 0 for f in files],
    )
    if too_large:
        raise HttpError(413, too_large)
    batch_id = batch or uuid.uuid4()
    outcome = services.files_ingest(
        uploader=as_user(request.user),
        batch=batch_id,
        files=[IncomingFile(name=safe_name(f.name or "file"), data=f.read()) for f in files],
        fs=fs,
    )
    return Status(
        201,
        UploadOut(
            batch=batch_id,
            files=[_file_out(row) for row in outcome.files],
            refused=[RefusalOut(name=r.name, reason=r.reason) for r in outcome.refused],
            skipped=[RefusalOut(name=s.name, reason=s.reason) for s in outcome.skipped],
        ),
    )


@router.get("/files/{public_id}", response=FileOut, summary="What was made of an uploaded file")
def file_detail(request: HttpRequest, public_id: uuid.UUID) -> FileOut:
    return _file_out(selectors.file_for_viewer(public_id, as_user(request.user)))
