"""The one place that decides who may do what.

Roles and their permissions are data (``data/roles.json`` loaded into ``Role``);
a user's permissions are the union over their memberships. Facility-scoped
permissions hold only at the facility of the membership that grants them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from hybridmd.accounts.models import Membership, Role

COMMUNITY_VIEW = "community.view"
REVIEW_VERIFICATION = "accounts.review_verification"
MANAGE_ROLES = "accounts.manage_roles"
PATIENT_DATA_VIEW = "patient_data.view"
AUDIT_VIEW = "audit.view"

_CACHE_ATTR = "_hybridmd_grants"

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Grants:
    platform: frozenset[str] = frozenset()
    by_facility: dict[int, frozenset[str]] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()
    requires_mfa: bool = False


def _load_grants(user: AnyUser) -> Grants:
    if not user.is_authenticated or not user.is_active:
        return Grants()
    platform: set[str] = set()
    by_facility: dict[int, set[str]] = {}
    roles: set[str] = set()
    requires_mfa = bool(getattr(user, "is_superuser", False))
    memberships = Membership.objects.filter(user_id=user.pk).select_related("role")
    for membership in memberships:
        role = membership.role
        roles.add(role.code)
        requires_mfa = requires_mfa or role.requires_mfa
        if role.scope == Role.Scope.FACILITY:
            if membership.facility_id is not None:
                by_facility.setdefault(membership.facility_id, set()).update(role.permissions)
        else:
            platform.update(role.permissions)
    return Grants(
        platform=frozenset(platform),
        by_facility={k: frozenset(v) for k, v in by_facility.items()},
        roles=frozenset(roles),
        requires_mfa=requires_mfa,
    )


def grants(user: AnyUser) -> Grants:
    """The user's grants, computed once per user object (i.e. once per request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _load_grants(user)
        setattr(user, _CACHE_ATTR, cached)
    return cast("Grants", cached)


def forget(user: AnyUser) -> None:
    """Drop cached grants after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_perm(user: AnyUser, perm: str, *, facility_id: int | None = None) -> bool:
    g = grants(user)
    if perm in g.platform:
        return True
    if facility_id is not None:
        return perm in g.by_facility.get(facility_id, frozenset())
    return False


def facilities_with(user: AnyUser, perm: str) -> frozenset[int]:
    """Facilities where the user holds ``perm``: the filter for facility-owned data."""
    return frozenset(fid for fid, perms in grants(user).by_facility.items() if perm in perms)


def has_role(user: AnyUser, code: str) -> bool:
    return code in grants(user).roles


def requires_mfa(user: AnyUser) -> bool:
    return grants(user).requires_mfa


def require(
    user: AnyUser, perm: str, *, facility_id: int | None = None, message: str | None = None
) -> None:
    """Raise PermissionDenied (403) unless the user holds ``perm``; ``message`` is shown."""
    if not has_perm(user, perm, facility_id=facility_id):
        raise PermissionDenied(message or perm)


def can_see_community(user: AnyUser) -> bool:
    return has_perm(user, COMMUNITY_VIEW)


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def permission_required(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: anonymous users go to login, the rest need ``perm`` (else 403)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, perm)
            return view(request, *args, **kwargs)

        return cast("ViewFunc", wrapped)

    return decorator
