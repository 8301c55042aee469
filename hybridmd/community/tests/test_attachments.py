"""Case posts with ECG and image files: upload, check the report, post, read."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from hybridmd.accounts.tests.factories import grant_role
from hybridmd.clinical_files.models import ClinicalFile
from hybridmd.community.models import Post, PostAttachment
from hybridmd.community.services import moderation
from hybridmd.community.tests.factories import verified_user
from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

pytestmark = pytest.mark.django_db

DATA = shared_data_or_placeholder()
if not DATA.is_dir():
    pytest.skip(SHARED_DATA_MISSING, allow_module_level=True)

ECG = DATA / "ecg" / "dicom_hl7" / "waveform_ecg.dcm"
XRAY = DATA / "xray" / "chest_dicom" / "Fake_MONOHR1.dcm"


def _post_data(**extra):
    return {"title": "운동 시 흉통, ECG 판독 부탁드립니다", "body": "62세 남자.", **extra}


def _upload(client, *paths: Path, batch: str) -> list[ClinicalFile]:
    handles = [path.open("rb") for path in paths]
    try:
        response = client.post(reverse("clinical_files_upload"), {"files": handles, "batch": batch})
    finally:
        for handle in handles:
            handle.close()
    assert response.status_code == 200, response.content.decode()[:500]
    return list(ClinicalFile.objects.order_by("pk"))


def test_a_case_with_an_ecg_and_an_xray_is_posted_and_shown(client):
    client.force_login(verified_user())
    batch = str(uuid.uuid4())
    files = _upload(client, ECG, XRAY, batch=batch)
    ids = [str(f.public_id) for f in files]
    response = client.post(
        reverse("community_post_create", args=["cases"]),
        _post_data(batch=batch, attachments=ids, confirmed=ids),
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert PostAttachment.objects.filter(post=post).count() == 2
    reader = verified_user()
    client.force_login(reader)
    page = client.get(reverse("community_post", args=[post.public_id])).content.decode()
    assert 'data-testid="attachment-ecg"' in page
    assert 'data-testid="attachment-image"' in page
    svg = client.get(reverse("clinical_file_rendering", args=[files[0].public_id]))
    assert svg["Content-Type"] == "image/svg+xml"
    windowed = client.get(
        reverse("clinical_file_rendering", args=[files[1].public_id]) + "?c=2000&w=4000"
    )
    assert windowed.status_code == 200
    assert windowed.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_unconfirmed_files_keep_the_form_and_its_text(client):
    client.force_login(verified_user())
    batch = str(uuid.uuid4())
    files = _upload(client, XRAY, batch=batch)
    assert files[0].needs_confirmation  # a DICOM always has identity to remove
    ids = [str(f.public_id) for f in files]
    response = client.post(
        reverse("community_post_create", args=["cases"]),
        _post_data(batch=batch, attachments=ids),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "운동 시 흉통, ECG 판독 부탁드립니다" in page
    assert ids[0] in page  # the uploaded file is still offered
    assert not Post.objects.exists()
    assert ClinicalFile.objects.get().status == ClinicalFile.Status.UPLOADED


def test_files_sent_with_the_form_come_back_as_reports_first(client):
    client.force_login(verified_user())
    with ECG.open("rb") as handle:
        response = client.post(
            reverse("community_post_create", args=["cases"]),
            _post_data(batch=str(uuid.uuid4()), files=[handle]),
        )
    assert response.status_code == 200
    assert 'data-testid="upload-result"' in response.content.decode()
    assert not Post.objects.exists()
    assert ClinicalFile.objects.count() == 1


def test_a_board_without_files_refuses_attachments(client):
    author = verified_user()
    client.force_login(author)
    files = _upload(client, ECG, batch=str(uuid.uuid4()))
    ids = [str(f.public_id) for f in files]
    response = client.post(
        reverse("community_post_create", args=["papers"]),
        _post_data(attachments=ids, confirmed=ids),
    )
    assert response.status_code == 302  # papers has no file field: the ids are ignored
    assert not PostAttachment.objects.exists()


def test_someone_elses_file_cannot_be_attached(client):
    owner = verified_user()
    client.force_login(owner)
    files = _upload(client, ECG, batch=str(uuid.uuid4()))
    ids = [str(f.public_id) for f in files]
    client.force_login(verified_user())
    response = client.post(
        reverse("community_post_create", args=["cases"]),
        _post_data(attachments=ids, confirmed=ids),
    )
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_removing_a_case_withdraws_its_files(client):
    author = verified_user()
    client.force_login(author)
    batch = str(uuid.uuid4())
    files = _upload(client, ECG, batch=batch)
    ids = [str(f.public_id) for f in files]
    client.post(
        reverse("community_post_create", args=["cases"]),
        _post_data(batch=batch, attachments=ids, confirmed=ids),
    )
    moderator = verified_user()
    grant_role(moderator, "moderator")
    moderation.content_remove(
        moderator=moderator, kind="post", target_id=Post.objects.get().pk, reason="환자 정보 노출"
    )
    assert ClinicalFile.objects.get().status == ClinicalFile.Status.WITHDRAWN
    client.force_login(verified_user())
    assert client.get(reverse("clinical_file_rendering", args=[ids[0]])).status_code == 404


def test_an_oversized_form_keeps_its_text_and_stores_nothing(client, settings):
    settings.HYBRIDMD_CLINICAL_UPLOAD_MAX_BYTES = 2000
    client.force_login(verified_user())
    response = client.post(
        reverse("community_post_create", args=["cases"]),
        _post_data(files=[io.BytesIO(b"x" * 5000)]),
    )
    assert response.status_code == 422
    assert "운동 시 흉통, ECG 판독 부탁드립니다" in response.content.decode()
    assert not ClinicalFile.objects.exists()
    assert not Post.objects.exists()
