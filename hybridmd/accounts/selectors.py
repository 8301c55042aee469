"""Reads about accounts."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hybridmd.accounts.models import Membership, PhysicianProfile, User


def verification_queue(*, status: str, query: str = "") -> QuerySet[PhysicianProfile]:
    profiles = PhysicianProfile.objects.select_related(
        "user", "specialty", "specialty__parent", "facility", "reviewed_by"
    ).filter(status=status)
    if query:
        profiles = profiles.filter(
            Q(user__full_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(licence_number=query.strip())
            | Q(workplace_name__icontains=query)
        )
    return profiles.order_by(
        "submitted_at" if status == PhysicianProfile.Status.PENDING else "-reviewed_at"
    )


def licence_number_taken(licence_number: str, *, exclude_profile_pk: int | None = None) -> bool:
    taken = PhysicianProfile.objects.filter(licence_number=licence_number)
    if exclude_profile_pk is not None:
        taken = taken.exclude(pk=exclude_profile_pk)
    return taken.exists()


def verification_counts() -> dict[str, int]:
    rows = PhysicianProfile.objects.values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(PhysicianProfile.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def profile_for_review(profile_id: int) -> PhysicianProfile:
    return PhysicianProfile.objects.select_related(
        "user", "specialty", "specialty__parent", "facility", "reviewed_by"
    ).get(pk=profile_id)


def profile_of(user: User) -> PhysicianProfile | None:
    return (
        PhysicianProfile.objects.select_related("specialty", "facility", "reviewed_by")
        .filter(user=user)
        .first()
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("role", "facility")
        .order_by("role__code")
    )


def applicant_history(profile: PhysicianProfile) -> list[PhysicianProfile]:
    """Other applications from the same proof file: the same scan sent for two accounts."""
    return list(
        PhysicianProfile.objects.filter(proof_sha256=profile.proof_sha256)
        .exclude(pk=profile.pk)
        .select_related("user")
    )
