"""Reads of clinical files: who may see which file."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User
from hybridmd.clinical_files.models import ClinicalFile


def file_for_viewer(public_id: uuid.UUID | str, viewer: User) -> ClinicalFile:
    """The uploader sees their own files; verified members see published ones."""
    row = ClinicalFile.objects.filter(public_id=public_id).first()
    if row is None or row.status == ClinicalFile.Status.WITHDRAWN:
        raise Http404(_("This file does not exist or was withdrawn."))
    if row.uploader_id == viewer.pk:
        return row
    if row.status == ClinicalFile.Status.PUBLISHED and permissions.can_see_community(viewer):
        return row
    if not permissions.can_see_community(viewer):
        raise PermissionDenied(_("Only verified physicians can see cases."))
    raise Http404(_("This file does not exist or was withdrawn."))


def own_unpublished(uploader: User, public_ids: Iterable[str]) -> list[ClinicalFile]:
    """The uploader's files among ``public_ids`` that no post carries yet (form re-display)."""
    ids = []
    for raw in public_ids:
        try:
            ids.append(uuid.UUID(str(raw)))
        except ValueError:
            continue
    return list(
        ClinicalFile.objects.filter(
            uploader=uploader, public_id__in=ids, status=ClinicalFile.Status.UPLOADED
        )
    )
