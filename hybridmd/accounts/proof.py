"""Checks on an uploaded proof of licence: a real image or PDF, within the size limit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

_IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_PIL_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedProof:
    content_type: str
    sha256: str
    extension: str


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    for signature, content_type in _IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_proof(upload: UploadedFile[bytes], *, max_bytes: int) -> CheckedProof:
    """Accept JPEG, PNG, WebP or PDF up to ``max_bytes``; judge by content, not by name."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = _sniff(data[:16])
    invalid = ValidationError(
        _("Upload a photo or scan of your licence as JPEG, PNG, WebP or PDF."), code="invalid_type"
    )
    if content_type is None:
        raise invalid
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF is incomplete or damaged."), code="damaged")
    else:
        try:
            with Image.open(upload) as image:
                image.verify()
                if _PIL_FORMATS.get(image.format or "") != content_type:
                    raise invalid
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
            raise ValidationError(
                _("The image could not be read; it may be damaged."), code="damaged"
            ) from exc
        finally:
            upload.seek(0)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        content_type, "webp"
    )
    return CheckedProof(
        content_type=content_type, sha256=hashlib.sha256(data).hexdigest(), extension=extension
    )
