"""/api/v1/files: the same intake over HTTP, for hospital IT and scripts."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from hybridmd.accounts.tests.factories import PhysicianFactory, UserFactory
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

pytestmark = pytest.mark.django_db

DATA = shared_data_or_placeholder()
if not DATA.is_dir():
    pytest.skip(SHARED_DATA_MISSING, allow_module_level=True)
ECG = DATA / "ecg" / "dicom_hl7" / "waveform_ecg.dcm"


def _member() -> Client:
    client = Client()
    client.force_login(PhysicianFactory(verified=True).user)
    return client


def test_upload_then_read_back():
    client = _member()
    with ECG.open("rb") as handle:
        response = client.post("/api/v1/files", {"files": [handle, io.BytesIO(b"MZ\x90\x00")]})
    assert response.status_code == 201
    body = response.json()
    assert [f["kind"] for f in body["files"]] == ["ecg"]
    assert body["files"][0]["summary"]["lead_count"] == 12
    assert body["files"][0]["needs_confirmation"] is True
    assert "program" in body["refused"][0]["reason"]
    detail = client.get(f"/api/v1/files/{body['files'][0]['id']}")
    assert detail.status_code == 200
    assert detail.json()["rendering_url"].endswith("/rendering")


def test_an_oversized_upload_is_a_413_problem(settings):
    settings.HYBRIDMD_CLINICAL_UPLOAD_MAX_BYTES = 100
    response = _member().post("/api/v1/files", {"files": [io.BytesIO(b"x" * 1000)]})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert not ClinicalFile.objects.exists()


def test_the_unverified_and_the_anonymous_cannot_upload():
    client = Client()
    assert client.post("/api/v1/files", {"files": [io.BytesIO(b"x")]}).status_code == 401
    client.force_login(UserFactory())
    assert client.post("/api/v1/files", {"files": [io.BytesIO(b"x")]}).status_code == 403


def test_someone_elses_unpublished_file_is_not_found():
    owner = _member()
    with ECG.open("rb") as handle:
        file_id = owner.post("/api/v1/files", {"files": [handle]}).json()["files"][0]["id"]
    assert _member().get(f"/api/v1/files/{file_id}").status_code == 404
