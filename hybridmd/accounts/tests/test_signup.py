"""Physician sign-up: the happy path and every bad input the foundation names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from hybridmd.accounts.models import PhysicianProfile, User
from hybridmd.accounts.tests.factories import PhysicianFactory
from hybridmd.audit import services as audit
from hybridmd.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
SIGNUP = reverse("account_signup")


def _png(size=(64, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _form(**overrides):
    data = {
        "email": "new.doctor@example.kr",
        "password1": "Str0ng-passphrase!",
        "password2": "Str0ng-passphrase!",
        "full_name": "홍길동",
        "licence_number": "123456",
        "specialty": "",
        "workplace_name": "홍길동내과의원",
        "facility": "",
        "proof": SimpleUploadedFile("licence.png", _png(), content_type="image/png"),
    }
    data.update(overrides)
    return data


def _stored_proofs() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "licence-proofs"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_signup_creates_pending_profile_and_logs_in(client):
    response = client.post(SIGNUP, _form(specialty=""), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    user = User.objects.get(email="new.doctor@example.kr")
    assert user.full_name == "홍길동"
    profile = user.physician_profile
    assert profile.status == PhysicianProfile.Status.PENDING
    assert profile.licence_number == "123456"
    assert profile.proof_content_type == "image/png"
    assert Path(profile.proof.path).read_bytes().startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="accounts.verification_submitted").count() == 1
    assert b'data-testid="pending"' in response.content


def test_unverified_physician_sees_nothing_of_the_community(client):
    client.post(SIGNUP, _form())
    response = client.get(reverse("home"))
    assert b'data-testid="pending"' in response.content
    assert b'data-testid="verified"' not in response.content
    assert client.get(reverse("verification_queue")).status_code == 403


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("제 12345 호", "12345"), ("012345", "12345"), ("No. 98765", "98765"), ("12-345", "12345")],
)
def test_licence_number_is_normalised(client, raw, stored):
    client.post(SIGNUP, _form(licence_number=raw))
    assert PhysicianProfile.objects.get().licence_number == stored


@pytest.mark.parametrize("bad", ["12ab", "1234567", "0", "", "١٢٣٤٥", "12 34 56 78"])
def test_malformed_licence_number_is_refused_and_input_kept(client, bad):
    response = client.post(SIGNUP, _form(licence_number=bad))
    assert response.status_code == 200
    form = response.context["form"]
    assert "licence_number" in form.errors
    assert 'value="new.doctor@example.kr"' in response.content.decode()
    assert 'value="홍길동"' in response.content.decode()
    assert not User.objects.exists()
    assert not PhysicianProfile.objects.exists()
    assert _stored_proofs() == []


def test_duplicate_licence_number_is_refused_with_a_clear_message(client):
    PhysicianFactory(licence_number="123456")
    users_before = User.objects.count()
    response = client.post(SIGNUP, _form(licence_number="0123456"[1:]))
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["licence_number"]
    assert [e.code for e in errors] == ["duplicate"]
    assert User.objects.count() == users_before
    assert PhysicianProfile.objects.count() == 1


def test_oversized_proof_is_refused(client, settings):
    settings.HYBRIDMD_PROOF_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.png", _png((400, 400)) + b"\0" * 2000, content_type="image/png")
    response = client.post(SIGNUP, _form(proof=big))
    assert response.status_code == 200
    assert "proof" in response.context["form"].errors
    assert [e.code for e in response.context["form"].errors.as_data()["proof"]] == ["too_large"]
    assert not User.objects.exists()
    assert _stored_proofs() == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("licence.png", b"MZ\x90\x00 this is an exe", "image/png"),
        ("licence.txt", b"just text", "text/plain"),
        ("licence.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 50, "image/jpeg"),
        ("licence.pdf", b"%PDF-1.7\n1 0 obj\n", "application/pdf"),
        (
            "licence.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            "image/svg+xml",
        ),
        ("empty.png", b"", "image/png"),
    ],
)
def test_non_image_or_damaged_proof_is_refused(client, name, content, content_type):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client.post(SIGNUP, _form(proof=upload))
    assert response.status_code == 200
    assert "proof" in response.context["form"].errors
    assert not User.objects.exists()
    assert _stored_proofs() == []


def test_pdf_proof_is_accepted(client):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client.post(
        SIGNUP, _form(proof=SimpleUploadedFile("l.pdf", pdf, content_type="application/pdf"))
    )
    assert PhysicianProfile.objects.get().proof_content_type == "application/pdf"


def test_missing_fields_keep_the_rest(client):
    response = client.post(SIGNUP, _form(full_name="", workplace_name=""))
    errors = response.context["form"].errors
    assert {"full_name", "workplace_name"} <= set(errors)
    assert 'value="123456"' in response.content.decode()
    assert not User.objects.exists()


def test_failure_after_the_proof_is_stored_leaves_nothing(client, monkeypatch):
    """A crash late in sign-up rolls back the user and removes the stored file."""

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", explode)
    with pytest.raises(RuntimeError):
        client.post(SIGNUP, _form())
    assert not User.objects.exists()
    assert not PhysicianProfile.objects.exists()
    assert _stored_proofs() == []


def test_signup_is_csrf_protected():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(SIGNUP, _form())
    assert response.status_code == 403
    assert not User.objects.exists()
