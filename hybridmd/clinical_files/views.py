"""Upload, view and render clinical files. Thin: rules live in services and selectors."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hybridmd.accounts import permissions
from hybridmd.accounts.models import as_user
from hybridmd.clinical_files import selectors, services
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.engines.imaging.io import read_image
from hybridmd.engines.imaging.render import render_png
from hybridmd.engines.intake.archives import IncomingFile, safe_name

_PRIVATE = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
_WINDOW_CACHE_SECONDS = 600


def _upload_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "clinical_files/_upload_result.html",
        {"outcome": None, "error": message},
        status=status,
    )


@permissions.permission_required(services.UPLOAD_PERMISSION)
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Files from the case form (drag-and-drop or the file field): processed at once."""
    # The declared length first: request.FILES would read the whole body.
    content_length = int(request.META.get("CONTENT_LENGTH") or 0)
    too_large = services.upload_too_large(content_length=content_length, file_sizes=())
    uploads = [] if too_large else request.FILES.getlist("files")
    too_large = too_large or services.upload_too_large(
        content_length=content_length, file_sizes=[u.size or 0 for u in uploads]
    )
    if too_large:
        return _upload_error(request, too_large, 413)
    try:
        batch = uuid.UUID(request.POST.get("batch", ""))
    except ValueError:
        batch = uuid.uuid4()
    incoming = [IncomingFile(name=safe_name(u.name or "file"), data=u.read()) for u in uploads]
    if not incoming:
        return _upload_error(request, _("Choose at least one ECG or image file."), 400)
    fs_raw = request.POST.get("fs", "").strip()
    try:
        fs = float(fs_raw) if fs_raw else None
    except ValueError:
        return _upload_error(request, _("The sampling rate must be a number (Hz)."), 400)
    try:
        outcome = services.files_ingest(
            uploader=as_user(request.user), batch=batch, files=incoming, fs=fs
        )
    except ValidationError as exc:
        return _upload_error(request, " ".join(exc.messages), 422)
    status = 200 if outcome.files else 422
    return render(
        request,
        "clinical_files/_upload_result.html",
        {"outcome": outcome, "batch": batch},
        status=status,
    )


@login_required
@require_GET
def file_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    row = selectors.file_for_viewer(public_id, as_user(request.user))
    context: dict[str, Any] = {"file": row}
    if row.kind == ClinicalFile.Kind.IMAGE:
        context["presets"] = row.summary.get("presets", [])
    return render(request, "clinical_files/file_detail.html", context)


def _content_type(stored_name: str | None) -> str:
    return "image/svg+xml" if (stored_name or "").endswith(".svg") else "image/png"


def _read(field_file: Any) -> bytes:
    with field_file.open("rb") as handle:
        data: bytes = handle.read()
    return data


@login_required
@require_GET
def file_rendering(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The ECG tracing (SVG) or the image (PNG), optionally in another window (c, w)."""
    row = selectors.file_for_viewer(public_id, as_user(request.user))
    content_type = _content_type(row.rendering.name)
    center, width = request.GET.get("c"), request.GET.get("w")
    if row.kind != ClinicalFile.Kind.IMAGE or center is None or width is None:
        return HttpResponse(_read(row.rendering), content_type=content_type, headers=_PRIVATE)
    try:
        window = (round(float(center)), max(1, round(float(width))))
    except ValueError:
        return HttpResponse(_("c and w must be numbers."), status=400, content_type="text/plain")
    key = f"clinical:window:{row.public_id}:{window[0]}:{window[1]}"
    png: bytes | None = cache.get(key)
    if png is None:
        image = read_image(_read(row.canonical), name=row.canonical.name or "")
        png = render_png(image, center=window[0], width=window[1], max_side=2048)
        cache.set(key, png, _WINDOW_CACHE_SECONDS)
    return HttpResponse(png, content_type="image/png", headers=_PRIVATE)


@login_required
@require_GET
def file_thumbnail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    row = selectors.file_for_viewer(public_id, as_user(request.user))
    content_type = _content_type(row.thumbnail.name)
    return HttpResponse(_read(row.thumbnail), content_type=content_type, headers=_PRIVATE)


@login_required
@require_GET
def file_original(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The original as uploaded: the uploader only, audit-recorded."""
    row, data = services.original_open(
        viewer=as_user(request.user), public_id=public_id, request=request
    )
    name = (row.original.name or "original").rsplit("/", 1)[-1]
    return HttpResponse(
        data,
        content_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
