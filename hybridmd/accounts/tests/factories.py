"""factory_boy factories for accounts, plus helpers to grant roles and enrol TOTP."""

from __future__ import annotations

import io
import time
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.files.base import ContentFile
from PIL import Image

from hybridmd.accounts.models import Facility, Membership, PhysicianProfile, Role, Specialty, User

DEFAULT_PASSWORD = "correct-horse-battery-9"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kr")
    full_name = factory.Sequence(lambda n: f"사용자{n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"primary": True, "verified": True}
            )


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility
        django_get_or_create = ("institution_code",)

    name = factory.Sequence(lambda n: f"테스트병원{n}")
    institution_code = factory.Sequence(lambda n: f"{31000000 + n:08d}")
    tier = Facility.Tier.GENERAL
    region = "서울"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 20), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


class PhysicianFactory(factory.django.DjangoModelFactory):
    """A physician's profile; ``verified=True`` also grants the roles approval grants."""

    class Meta:
        model = PhysicianProfile
        skip_postgeneration_save = True

    class Params:
        verified = False

    user = factory.SubFactory(UserFactory)
    licence_number = factory.Sequence(lambda n: str(100000 + n))
    specialty = factory.LazyFunction(lambda: Specialty.objects.get(code="IM-CARD"))
    workplace_name = "서울의료원"
    proof = factory.LazyFunction(lambda: ContentFile(_png(), name="proof.png"))
    proof_content_type = "image/png"
    proof_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = factory.LazyAttribute(
        lambda o: (
            PhysicianProfile.Status.APPROVED if o.verified else PhysicianProfile.Status.PENDING
        )
    )

    @factory.post_generation
    def roles(obj: PhysicianProfile, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and obj.status == PhysicianProfile.Status.APPROVED:
            grant_role(obj.user, "physician")
            if obj.specialty_id:
                grant_role(obj.user, "specialist")


def grant_role(user: User, code: str, facility: Facility | None = None) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, role=Role.objects.get(code=code), facility=facility
    )
    return membership


def with_totp(user: User, secret: str = TOTP_SECRET) -> Authenticator:
    return TOTP.activate(user, secret).instance


def totp_code(secret: str = TOTP_SECRET, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods of 30 s away)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))
