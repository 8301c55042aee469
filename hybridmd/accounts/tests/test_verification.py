"""The verification queue: who may use it, approve and reject, notification, audit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hybridmd.accounts import permissions, services
from hybridmd.accounts.models import PhysicianProfile
from hybridmd.accounts.tasks import verification_decision_notify
from hybridmd.accounts.tests.factories import PhysicianFactory, UserFactory, grant_role, with_totp
from hybridmd.audit.models import AuditEvent
from hybridmd.audit.selectors import chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return PhysicianFactory(user__full_name="신청자", user__language="en")


@pytest.fixture
def verifier_client(client, verifier):
    client.force_login(verifier)
    return client


def test_queue_lists_pending_applications(verifier_client, applicant):
    PhysicianFactory(verified=True, user__full_name="이미인증")
    response = verifier_client.get(reverse("verification_queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "신청자" in body
    assert "이미인증" not in body


def test_queue_search_and_status_filter(verifier_client, applicant):
    PhysicianFactory(user__full_name="다른사람")
    response = verifier_client.get(reverse("verification_queue"), {"q": applicant.licence_number})
    assert list(response.context["profiles"]) == [applicant]
    response = verifier_client.get(reverse("verification_queue"), {"status": "nonsense"})
    assert response.context["status"] == "pending"


def test_approve_grants_roles_audits_and_emails(
    verifier_client, verifier, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = verifier_client.post(
            reverse("verification_detail", args=[applicant.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == PhysicianProfile.Status.APPROVED
    assert applicant.reviewed_by == verifier
    user = applicant.user
    permissions.forget(user)
    assert permissions.has_role(user, "physician")
    assert permissions.has_role(user, "specialist")  # registered with a board specialty
    assert permissions.can_see_community(user)
    assert AuditEvent.objects.filter(
        action="accounts.verification_approved", actor_id=verifier.pk
    ).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "verified" in mail.outbox[0].subject  # the applicant chose English
    assert chain_verify().ok


def test_general_practitioner_gets_physician_but_not_specialist(
    verifier, django_capture_on_commit_callbacks
):
    gp = PhysicianFactory(specialty=None)
    services.verification_approve(reviewer=verifier, profile_id=gp.pk)
    assert permissions.has_role(gp.user, "physician")
    assert not permissions.has_role(gp.user, "specialist")


def test_reject_needs_a_reason_and_keeps_it(
    verifier_client, applicant, django_capture_on_commit_callbacks
):
    url = reverse("verification_detail", args=[applicant.pk])
    response = verifier_client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    applicant.refresh_from_db()
    assert applicant.status == PhysicianProfile.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        response = verifier_client.post(
            url, {"decision": "reject", "reason": "면허번호와 이름이 다릅니다."}
        )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == PhysicianProfile.Status.REJECTED
    assert applicant.rejection_reason == "면허번호와 이름이 다릅니다."
    assert not permissions.can_see_community(applicant.user)
    assert len(mail.outbox) == 1
    assert "면허번호와 이름이 다릅니다." in mail.outbox[0].body


def test_a_decision_cannot_be_made_twice(verifier, applicant):
    services.verification_approve(reviewer=verifier, profile_id=applicant.pk)
    with pytest.raises(ValidationError):
        services.verification_reject(reviewer=verifier, profile_id=applicant.pk, reason="late")


def test_verifier_cannot_verify_themselves(verifier):
    own = PhysicianFactory(user=verifier)
    with pytest.raises(ValidationError):
        services.verification_approve(reviewer=verifier, profile_id=own.pk)


def test_only_verifiers_decide(applicant):
    physician = PhysicianFactory(verified=True).user
    with pytest.raises(PermissionDenied):
        services.verification_approve(reviewer=physician, profile_id=applicant.pk)


@pytest.mark.parametrize("who", ["anonymous", "pending", "physician", "vendor", "moderator"])
def test_queue_is_closed_to_everyone_else(client, applicant, who):
    if who == "pending":
        client.force_login(PhysicianFactory().user)
    elif who == "physician":
        client.force_login(PhysicianFactory(verified=True).user)
    elif who in {"vendor", "moderator"}:
        user = UserFactory()
        grant_role(user, {"vendor": "ai_vendor", "moderator": "moderator"}[who])
        with_totp(user)
        client.force_login(user)
    for url in (
        reverse("verification_queue"),
        reverse("verification_detail", args=[applicant.pk]),
        reverse("verification_proof", args=[applicant.pk]),
    ):
        response = client.get(url)
        expected = 302 if who == "anonymous" else 403
        assert response.status_code == expected, (who, url)
    applicant.refresh_from_db()
    assert applicant.status == PhysicianProfile.Status.PENDING


def test_viewing_proof_is_audited(verifier_client, verifier, applicant):
    response = verifier_client.get(reverse("verification_proof", args=[applicant.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    event = AuditEvent.objects.get(action="accounts.proof_viewed")
    assert event.actor_id == verifier.pk
    assert event.target_id == str(applicant.pk)


def test_owner_can_view_own_proof(client, applicant):
    client.force_login(applicant.user)
    assert client.get(reverse("verification_proof", args=[applicant.pk])).status_code == 200


def test_notification_is_sent_once_per_decision(verifier, applicant):
    services.verification_approve(reviewer=verifier, profile_id=applicant.pk)
    assert verification_decision_notify(applicant.pk) is True
    assert verification_decision_notify(applicant.pk) is False
    assert len(mail.outbox) == 1


def test_rejected_applicant_can_correct_and_resubmit(client, verifier, applicant, proof_png):
    services.verification_reject(reviewer=verifier, profile_id=applicant.pk, reason="흐린 사진")
    old_proof = applicant.proof.path
    client.force_login(applicant.user)
    page = client.get(reverse("profile"))
    assert "흐린 사진" in page.content.decode()
    response = client.post(
        reverse("profile"),
        {
            "licence_number": applicant.licence_number,
            "specialty": applicant.specialty_id,
            "workplace_name": "새 병원",
            "facility": "",
            "proof": proof_png,
        },
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == PhysicianProfile.Status.PENDING
    assert applicant.workplace_name == "새 병원"
    assert applicant.proof.path != old_proof
