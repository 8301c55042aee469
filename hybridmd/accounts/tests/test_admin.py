"""Django admin: staff need two-factor; role grants made there are on the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hybridmd.accounts import permissions
from hybridmd.accounts.models import Membership, Role
from hybridmd.accounts.tests.factories import UserFactory, with_totp
from hybridmd.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    user = UserFactory(is_staff=True, is_superuser=True)
    with_totp(user)
    return user


def test_superuser_without_totp_is_sent_to_set_it_up(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_grant_and_revoke_in_admin_are_audited(client, superuser):
    client.force_login(superuser)
    target = UserFactory()
    moderator = Role.objects.get(code="moderator")
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": target.pk, "role": moderator.pk, "facility": "", "title": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=target)
    assert permissions.has_perm(target, "community.moderate")
    granted = AuditEvent.objects.get(action="accounts.role_granted")
    assert granted.actor_id == superuser.pk

    response = client.post(
        reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(action="accounts.role_revoked", actor_id=superuser.pk).exists()


def test_audit_events_are_read_only_in_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
