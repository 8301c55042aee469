from __future__ import annotations

from django.http import HttpRequest

from hybridmd.accounts import permissions


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation bar may show this user; decided by ``permissions`` only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "community": permissions.can_see_community(user),
            "verification": permissions.has_perm(user, permissions.REVIEW_VERIFICATION),
            "moderation": permissions.has_perm(user, "community.moderate"),
            "admin": bool(user.is_staff),
        }
    }
