"""Sign-in: audit of logins and failures, brute-force rate limit, two-factor for staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hybridmd.accounts.tests.factories import (
    DEFAULT_PASSWORD,
    FacilityFactory,
    PhysicianFactory,
    UserFactory,
    grant_role,
    totp_code,
    with_totp,
)
from hybridmd.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")


def test_login_is_recorded(client):
    user = PhysicianFactory(verified=True).user
    response = client.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_id == user.pk
    assert event.ip_address == "127.0.0.1"


def test_failed_login_is_recorded_and_form_keeps_the_email(client):
    user = UserFactory()
    response = client.post(LOGIN, {"login": user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert f'value="{user.email}"' in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_id is None
    assert event.actor_label == user.email


def test_brute_force_is_rate_limited_and_recorded(client):
    user = UserFactory()
    for _ in range(5):
        client.post(LOGIN, {"login": user.email, "password": "guess"})
    response = client.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD})
    # Even the right password is refused while the limit holds.
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert response.status_code in {200, 429}
    assert "too many" in body.lower() or "너무 많" in body
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 5
    assert AuditEvent.objects.filter(action="auth.login_rate_limited").count() >= 1


def test_logout_is_recorded(client):
    user = PhysicianFactory(verified=True).user
    client.force_login(user)
    client.post(reverse("account_logout"))
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=user.pk).exists()


@pytest.mark.parametrize("role", ["verifier", "referral_coordinator"])
def test_staff_without_totp_are_sent_to_set_it_up(client, role):
    user = UserFactory()
    grant_role(user, role, FacilityFactory() if role == "referral_coordinator" else None)
    client.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a second factor is added ("sudo mode").
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert client.get(reverse("home")).status_code == 200


def test_physician_without_totp_is_not_forced(client):
    client.force_login(PhysicianFactory(verified=True).user)
    assert client.get(reverse("home")).status_code == 200


def test_staff_login_asks_for_the_totp_code(client):
    user = UserFactory()
    grant_role(user, "verifier")
    with_totp(user)
    response = client.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("verification_queue")).status_code == 200
