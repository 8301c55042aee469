"""People, their roles, the facilities they work at and their licence verification."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ko"
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


class LocalizedName(models.Model):
    """Rows named in Korean and English; ``name`` follows the active language."""

    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class Role(LocalizedName):
    class Scope(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        FACILITY = "facility", _("Facility")

    code = models.SlugField(max_length=40, unique=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.PLATFORM)
    requires_mfa = models.BooleanField(default=False)
    permissions = models.JSONField(default=list)

    class Meta:
        ordering = ("code",)
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class Specialty(LocalizedName):
    code = models.CharField(max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subspecialties"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("sort_order",)
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    @property
    def board_specialty(self) -> Specialty:
        return self.parent or self


institution_code_validator = RegexValidator(
    r"^\d{8}$", _("요양기관기호 is exactly 8 digits."), code="institution_code"
)


class Facility(models.Model):
    class Tier(models.TextChoices):
        CLINIC = "clinic", _("Clinic (의원)")
        HOSPITAL = "hospital", _("Hospital (병원)")
        GENERAL = "general", _("General hospital (종합병원)")
        TERTIARY = "tertiary", _("Tertiary hospital (상급종합병원)")

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    institution_code = models.CharField(
        _("요양기관기호"), max_length=8, unique=True, validators=[institution_code_validator]
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    region = models.CharField(_("region"), max_length=40)

    class Meta:
        ordering = ("name",)
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user holds a role; facility-scoped roles are held at one facility."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    title = models.CharField(_("title"), max_length=60, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "role", "facility"), name="membership_unique_with_facility"
            ),
            models.UniqueConstraint(
                fields=("user", "role"),
                condition=models.Q(facility__isnull=True),
                name="membership_unique_platform_role",
            ),
        )

    def __str__(self) -> str:
        where = f" @ {self.facility}" if self.facility_id else ""
        return f"{self.user} {self.role.code}{where}"


def _proof_upload_path(instance: PhysicianProfile, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"licence-proofs/{uuid.uuid4().hex}.{suffix}"


licence_number_validator = RegexValidator(
    r"^[1-9]\d{0,5}$",
    _("A medical licence number (의사 면허번호) is 1 to 6 digits, without leading zeros."),
    code="licence_number",
)


class PhysicianProfile(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        APPROVED = "approved", _("Verified")
        REJECTED = "rejected", _("Rejected")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="physician_profile"
    )
    licence_number = models.CharField(
        _("medical licence number"),
        max_length=6,
        unique=True,
        validators=[licence_number_validator],
    )
    specialty = models.ForeignKey(
        Specialty,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a general practitioner (일반의)."),
    )
    workplace_name = models.CharField(_("hospital or clinic"), max_length=120)
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proof = models.FileField(_("proof of licence"), upload_to=_proof_upload_path, max_length=200)
    proof_content_type = models.CharField(max_length=40)
    proof_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    decision_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("submitted_at",)
        verbose_name = _("physician profile")
        verbose_name_plural = _("physician profiles")

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.licence_number})"

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.APPROVED


class ConsultantProfile(models.Model):
    """A partner consultant answers in the consultation boards under their firm's name."""

    class Profession(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer (변호사)")
        TAX_ACCOUNTANT = "tax", _("Tax accountant (세무사)")
        LABOUR_ATTORNEY = "labour", _("Labour attorney (노무사)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_profile"
    )
    profession = models.CharField(_("profession"), max_length=8, choices=Profession.choices)
    firm_name = models.CharField(_("firm"), max_length=120)

    class Meta:
        verbose_name = _("partner consultant")
        verbose_name_plural = _("partner consultants")

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.firm_name})"


def as_user(candidate: object) -> User:
    """Narrow ``request.user`` (or allauth's user) to ``User``; anything else is a bug."""
    if not isinstance(candidate, User):
        raise TypeError(f"expected a signed-in User, got {type(candidate).__name__}")
    return candidate
