from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from hybridmd.accounts import permissions, selectors
from hybridmd.accounts.models import as_user

router = Router(tags=["accounts"])


class MeOut(Schema):
    email: str
    full_name: str
    verification_status: str | None
    specialty: str | None
    roles: list[str]
    mfa_required: bool


@router.get("/me", response=MeOut, auth=django_auth, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = as_user(request.user)
    profile = selectors.profile_of(user)
    return MeOut(
        email=user.email,
        full_name=user.full_name,
        verification_status=profile.status if profile else None,
        specialty=profile.specialty.code if profile and profile.specialty else None,
        roles=sorted(permissions.grants(user).roles),
        mfa_required=permissions.requires_mfa(user),
    )
