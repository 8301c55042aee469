"""Uploading ECGs and images: stored whole or not at all, de-identified, permission-checked."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hybridmd.accounts.tests.factories import PhysicianFactory, UserFactory
from hybridmd.audit.models import AuditEvent
from hybridmd.clinical_files import services
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.engines.intake.archives import IncomingFile
from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

pytestmark = pytest.mark.django_db


def verified_user():
    return PhysicianFactory(verified=True).user


DATA = shared_data_or_placeholder()
if not DATA.is_dir():
    pytest.skip(SHARED_DATA_MISSING, allow_module_level=True)

DICOM_ECG = DATA / "ecg" / "dicom_hl7" / "waveform_ecg.dcm"
CHEST_PNG = DATA / "xray" / "chest_png" / "00000001_000.png"
SIIM = next((DATA / "xray" / "chest_dicom").glob("siim_cxr_*.dcm"))


def _incoming(*paths: Path) -> list[IncomingFile]:
    return [IncomingFile(p.name, p.read_bytes()) for p in paths]


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_an_ecg_and_a_radiograph_are_stored_de_identified(settings):
    uploader = verified_user()
    outcome = services.files_ingest(
        uploader=uploader, batch=uuid.uuid4(), files=_incoming(DICOM_ECG, SIIM)
    )
    assert not outcome.refused
    kinds = sorted(f.kind for f in outcome.files)
    assert kinds == ["ecg", "image"]
    ecg = next(f for f in outcome.files if f.kind == "ecg")
    assert ecg.summary["lead_count"] == 12
    assert str(ecg.rendering.name).endswith(".svg")
    image = next(f for f in outcome.files if f.kind == "image")
    assert image.summary["rows"] == 1024
    assert AuditEvent.objects.filter(action="clinical_file.uploaded").count() == 2


def test_a_refused_file_leaves_nothing_behind(settings):
    uploader = verified_user()
    before = _stored_files(Path(settings.MEDIA_ROOT))
    outcome = services.files_ingest(
        uploader=uploader,
        batch=uuid.uuid4(),
        files=[IncomingFile("virus.dcm", b"MZ\x90\x00" + b"\x00" * 200)],
    )
    assert outcome.files == []
    assert "program" in outcome.refused[0].reason
    assert ClinicalFile.objects.count() == 0
    assert _stored_files(Path(settings.MEDIA_ROOT)) == before


def test_a_zip_bomb_refuses_the_upload():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.dcm", b"\x00" * (300 * 2**20))
    with pytest.raises(ValidationError):
        services.files_ingest(
            uploader=verified_user(),
            batch=uuid.uuid4(),
            files=[IncomingFile("bomb.zip", buffer.getvalue())],
        )
    assert ClinicalFile.objects.count() == 0


def test_identifying_file_names_are_not_kept():
    uploader = verified_user()
    named = IncomingFile("홍길동_850302-1234567_CXR.png", CHEST_PNG.read_bytes())
    outcome = services.files_ingest(uploader=uploader, batch=uuid.uuid4(), files=[named])
    row = outcome.files[0]
    assert "홍길동" not in row.display_name
    assert "850302" not in row.display_name
    assert "홍길동" not in str(row.original.name)


def test_only_the_uploader_sees_an_unpublished_file_and_opens_the_original(client):
    uploader, other = verified_user(), verified_user()
    row = services.files_ingest(
        uploader=uploader, batch=uuid.uuid4(), files=_incoming(CHEST_PNG)
    ).files[0]
    client.force_login(other)
    assert client.get(reverse("clinical_file", args=[row.public_id])).status_code == 404
    assert client.get(reverse("clinical_file_original", args=[row.public_id])).status_code == 403
    client.force_login(uploader)
    assert client.get(reverse("clinical_file", args=[row.public_id])).status_code == 200
    response = client.get(reverse("clinical_file_original", args=[row.public_id]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="clinical_file.original_opened").count() == 1


def test_published_files_are_seen_by_members_not_by_the_unverified(client):
    uploader = verified_user()
    row = services.files_ingest(
        uploader=uploader, batch=uuid.uuid4(), files=_incoming(CHEST_PNG)
    ).files[0]
    services.files_publish(
        uploader=uploader, public_ids=[row.public_id], confirmed=[str(row.public_id)]
    )
    client.force_login(verified_user())
    assert client.get(reverse("clinical_file_rendering", args=[row.public_id])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("clinical_file_rendering", args=[row.public_id])).status_code == 403


def test_a_file_asking_for_a_look_cannot_be_published_unconfirmed(english):
    uploader = verified_user()
    row = services.files_ingest(uploader=uploader, batch=uuid.uuid4(), files=_incoming(SIIM)).files[
        0
    ]
    assert row.needs_confirmation  # a DICOM always has identity to remove
    with pytest.raises(ValidationError, match="tick"):
        services.files_publish(uploader=uploader, public_ids=[row.public_id], confirmed=[])


def test_an_upload_over_the_limit_is_refused_with_413(client, settings):
    settings.HYBRIDMD_CLINICAL_UPLOAD_MAX_BYTES = 1000
    client.force_login(verified_user())
    response = client.post(
        reverse("clinical_files_upload"),
        {"files": io.BytesIO(b"x" * 5000), "batch": str(uuid.uuid4())},
    )
    assert response.status_code == 413
    assert ClinicalFile.objects.count() == 0
