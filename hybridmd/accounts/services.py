"""Every write about accounts: registration, licence verification, roles, sign-in events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hybridmd.accounts import permissions, selectors
from hybridmd.accounts.models import Facility, Membership, PhysicianProfile, Role, Specialty, User
from hybridmd.accounts.proof import check_proof
from hybridmd.accounts.tasks import verification_decision_notify
from hybridmd.audit import services as audit

PHYSICIAN = "physician"
SPECIALIST = "specialist"


def _store_proof(profile: PhysicianProfile, proof: UploadedFile[bytes]) -> None:
    checked = check_proof(proof, max_bytes=settings.HYBRIDMD_PROOF_MAX_BYTES)
    profile.proof_content_type = checked.content_type
    profile.proof_sha256 = checked.sha256
    profile.proof.save(f"proof.{checked.extension}", proof, save=False)


@contextmanager
def file_deleted_on_error(field_file: FieldFile) -> Iterator[None]:
    """Remove a just-stored file if the block fails, so a rollback leaves no orphan."""
    try:
        yield
    except BaseException:
        if field_file.name:
            field_file.storage.delete(field_file.name)
        raise


def _ensure_licence_free(licence_number: str, *, exclude_pk: int | None = None) -> None:
    """The database's unique constraint is the last word; this gives the readable error."""
    if selectors.licence_number_taken(licence_number, exclude_profile_pk=exclude_pk):
        raise ValidationError(
            {"licence_number": _("This licence number is already registered.")}, code="duplicate"
        )


@transaction.atomic
def physician_register(
    *,
    user: User,
    full_name: str,
    licence_number: str,
    specialty: Specialty | None,
    workplace_name: str,
    facility: Facility | None,
    proof: UploadedFile[bytes],
    request: HttpRequest | None = None,
) -> PhysicianProfile:
    """Create the physician's profile, awaiting a verifier. The proof file is stored last."""
    _ensure_licence_free(licence_number)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    profile = PhysicianProfile(
        user=user,
        licence_number=licence_number,
        specialty=specialty,
        workplace_name=workplace_name,
        facility=facility,
    )
    _store_proof(profile, proof)
    with file_deleted_on_error(profile.proof):
        profile.save()
        audit.record(
            user,
            "accounts.verification_submitted",
            profile,
            detail={"specialty": specialty.code if specialty else None},
            request=request,
        )
    return profile


@transaction.atomic
def verification_resubmit(
    *,
    profile: PhysicianProfile,
    licence_number: str,
    specialty: Specialty | None,
    workplace_name: str,
    facility: Facility | None,
    proof: UploadedFile[bytes],
    request: HttpRequest | None = None,
) -> PhysicianProfile:
    """A rejected applicant corrects their details and sends new proof."""
    if profile.status != PhysicianProfile.Status.REJECTED:
        raise ValidationError(_("Only a rejected application can be submitted again."))
    _ensure_licence_free(licence_number, exclude_pk=profile.pk)
    old_proof = profile.proof.name
    profile.licence_number = licence_number
    profile.specialty = specialty
    profile.workplace_name = workplace_name
    profile.facility = facility
    _store_proof(profile, proof)
    with file_deleted_on_error(profile.proof):
        profile.status = PhysicianProfile.Status.PENDING
        profile.submitted_at = timezone.now()
        profile.save()
        audit.record(profile.user, "accounts.verification_resubmitted", profile, request=request)
    if old_proof:
        transaction.on_commit(lambda: profile.proof.storage.delete(old_proof))
    return profile


def _role(code: str) -> Role:
    return Role.objects.get(code=code)


def membership_grant(
    *,
    user: User,
    role_code: str,
    facility: Facility | None = None,
    granted_by: User | None = None,
    title: str = "",
    request: HttpRequest | None = None,
) -> Membership:
    role = _role(role_code)
    if (role.scope == Role.Scope.FACILITY) != (facility is not None):
        raise ValidationError(
            _("Role %(role)s must be held at a facility.") % {"role": role.code}
            if facility is None
            else _("Role %(role)s is not held at a facility.") % {"role": role.code}
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, role=role, facility=facility, defaults={"title": title}
        )
        if created:
            audit.record(
                granted_by,
                "accounts.role_granted",
                membership,
                detail={"user": user.pk, "role": role.code},
                facility_id=facility.pk if facility else None,
                request=request,
            )
    permissions.forget(user)
    return membership


def membership_revoke(
    *,
    user: User,
    role_code: str,
    facility: Facility | None = None,
    revoked_by: User | None = None,
    request: HttpRequest | None = None,
) -> None:
    with transaction.atomic():
        for membership in Membership.objects.filter(
            user=user, role__code=role_code, facility=facility
        ):
            audit.record(
                revoked_by,
                "accounts.role_revoked",
                membership,
                detail={"user": user.pk, "role": role_code},
                facility_id=facility.pk if facility else None,
                request=request,
            )
            membership.delete()
    permissions.forget(user)


def _decide(profile_id: int) -> PhysicianProfile:
    profile = PhysicianProfile.objects.select_for_update().select_related("user").get(pk=profile_id)
    if profile.status != PhysicianProfile.Status.PENDING:
        raise ValidationError(_("This application has already been decided."), code="decided")
    return profile


@transaction.atomic
def verification_approve(
    *, reviewer: User, profile_id: int, request: HttpRequest | None = None
) -> PhysicianProfile:
    """Approve a licence: the physician gains the physician role, and specialist if boarded."""
    permissions.require(reviewer, permissions.REVIEW_VERIFICATION)
    profile = _decide(profile_id)
    if profile.user_id == reviewer.pk:
        raise ValidationError(_("You cannot verify your own licence."), code="own")
    profile.status = PhysicianProfile.Status.APPROVED
    profile.reviewed_by, profile.reviewed_at = reviewer, timezone.now()
    profile.rejection_reason = ""
    profile.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
    audit.record(reviewer, "accounts.verification_approved", profile, request=request)
    membership_grant(user=profile.user, role_code=PHYSICIAN, granted_by=reviewer, request=request)
    if profile.specialty_id is not None:
        membership_grant(
            user=profile.user, role_code=SPECIALIST, granted_by=reviewer, request=request
        )
    _notify_on_commit(profile.pk)
    return profile


@transaction.atomic
def verification_reject(
    *, reviewer: User, profile_id: int, reason: str, request: HttpRequest | None = None
) -> PhysicianProfile:
    """Reject with a reason the applicant will read; they may correct and resubmit."""
    permissions.require(reviewer, permissions.REVIEW_VERIFICATION)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the applicant a reason for the rejection.")})
    profile = _decide(profile_id)
    if profile.user_id == reviewer.pk:
        raise ValidationError(_("You cannot verify your own licence."), code="own")
    profile.status = PhysicianProfile.Status.REJECTED
    profile.reviewed_by, profile.reviewed_at = reviewer, timezone.now()
    profile.rejection_reason = reason
    profile.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
    audit.record(reviewer, "accounts.verification_rejected", profile, request=request)
    _notify_on_commit(profile.pk)
    return profile


def _notify_on_commit(profile_id: int) -> None:
    transaction.on_commit(lambda: verification_decision_notify.delay(profile_id))


def proof_viewed_record(*, viewer: User, profile: PhysicianProfile, request: HttpRequest) -> None:
    audit.record(viewer, "accounts.proof_viewed", profile, request=request)


def sign_in_record(
    *, action: str, request: HttpRequest, user: User | None = None, email: str = ""
) -> None:
    """Record a login, logout, failed login or rate-limited login attempt."""
    audit.record(
        user,
        action,
        user if user is not None else None,
        request=request,
        actor_label=(user.email if user is not None else email.strip().lower())[:254],
    )
