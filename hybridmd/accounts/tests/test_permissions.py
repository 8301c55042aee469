"""Roles are data; permissions are decided in one place; facility roles stay at their facility."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from hybridmd.accounts import permissions, services
from hybridmd.accounts.models import Membership, Role
from hybridmd.accounts.reference_data import DATA_DIR
from hybridmd.accounts.tests.factories import (
    FacilityFactory,
    PhysicianFactory,
    UserFactory,
    grant_role,
)
from hybridmd.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_roles_in_the_database_match_the_data_file():
    rows = json.loads((DATA_DIR / "roles.json").read_text(encoding="utf-8"))["roles"]
    assert {r["code"] for r in rows} == set(Role.objects.values_list("code", flat=True))
    expected = {
        "physician",
        "specialist",
        "partner_consultant",
        "ai_vendor",
        "hospital_physician",
        "referral_coordinator",
        "verifier",
        "moderator",
        "admin",
    }
    assert expected == {r["code"] for r in rows}
    for row in rows:
        role = Role.objects.get(code=row["code"])
        assert sorted(row["permissions"]) == role.permissions


def test_anonymous_and_unverified_have_no_permissions():
    assert not permissions.has_perm(AnonymousUser(), permissions.COMMUNITY_VIEW)
    pending = PhysicianFactory().user
    assert not permissions.can_see_community(pending)
    assert permissions.grants(pending).roles == frozenset()


def test_verified_physician_sees_community_but_not_the_queue():
    user = PhysicianFactory(verified=True).user
    assert permissions.can_see_community(user)
    assert not permissions.has_perm(user, permissions.REVIEW_VERIFICATION)
    with pytest.raises(PermissionDenied):
        permissions.require(user, permissions.REVIEW_VERIFICATION)


def test_partner_consultant_answers_consultations_only():
    user = UserFactory()
    grant_role(user, "partner_consultant")
    assert permissions.has_perm(user, "community.answer_consultation")
    assert not permissions.has_perm(user, "community.post")
    assert not permissions.can_see_community(user)


def test_inactive_user_has_nothing():
    user = PhysicianFactory(verified=True).user
    user.is_active = False
    permissions.forget(user)
    assert not permissions.can_see_community(user)


def test_facility_roles_hold_only_at_their_facility():
    home, other = FacilityFactory(), FacilityFactory()
    coordinator = UserFactory()
    services.membership_grant(user=coordinator, role_code="referral_coordinator", facility=home)
    assert permissions.has_perm(coordinator, "referrals.view", facility_id=home.pk)
    assert not permissions.has_perm(coordinator, "referrals.view", facility_id=other.pk)
    assert not permissions.has_perm(coordinator, "referrals.view")
    assert permissions.facilities_with(coordinator, permissions.PATIENT_DATA_VIEW) == {home.pk}


def test_facility_role_needs_a_facility_and_platform_role_refuses_one():
    user, facility = UserFactory(), FacilityFactory()
    with pytest.raises(ValidationError):
        services.membership_grant(user=user, role_code="referral_coordinator")
    with pytest.raises(ValidationError):
        services.membership_grant(user=user, role_code="verifier", facility=facility)
    assert not Membership.objects.filter(user=user).exists()


def test_platform_role_is_held_once():
    user = UserFactory()
    grant_role(user, "moderator")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.objects.get(code="moderator"))


def test_grant_and_revoke_are_audited_and_take_effect():
    admin, user = UserFactory(), UserFactory()
    services.membership_grant(user=user, role_code="moderator", granted_by=admin)
    assert permissions.has_perm(user, "community.moderate")
    services.membership_revoke(user=user, role_code="moderator", revoked_by=admin)
    assert not permissions.has_perm(user, "community.moderate")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["accounts.role_granted", "accounts.role_revoked"]


@pytest.mark.parametrize(
    ("role", "needs_mfa"),
    [
        ("physician", False),
        ("specialist", False),
        ("ai_vendor", False),
        ("partner_consultant", False),
        ("verifier", True),
        ("moderator", True),
        ("admin", True),
        ("hospital_physician", True),
        ("referral_coordinator", True),
    ],
)
def test_staff_and_hospital_roles_require_mfa(role, needs_mfa):
    user = UserFactory()
    facility = FacilityFactory() if role in {"hospital_physician", "referral_coordinator"} else None
    grant_role(user, role, facility)
    assert permissions.requires_mfa(user) is needs_mfa


def test_grants_are_computed_once_per_request(django_assert_num_queries):
    user = PhysicianFactory(verified=True).user
    permissions.forget(user)
    with django_assert_num_queries(1):
        for _ in range(5):
            permissions.can_see_community(user)
            permissions.has_perm(user, permissions.REVIEW_VERIFICATION)
