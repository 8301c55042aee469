"""Demo data: facilities of the referral networks, verified physicians, staff and a vendor.

Idempotent. Facility codes are demo values in the 요양기관기호 format, not real codes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from hybridmd.accounts import services
from hybridmd.accounts.models import (
    ConsultantProfile,
    Facility,
    PhysicianProfile,
    Role,
    Specialty,
    User,
)
from hybridmd.accounts.reference_data import sync_roles, sync_specialties

DEMO_PASSWORD = "hybridmd-demo-2026"  # noqa: S105 -- published in README for the demo
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPHYBRIDMDDEMQAAAA"  # noqa: S105 -- demo staff only

FACILITIES = (
    ("서울대학교병원", "Seoul National University Hospital", "11100001", "tertiary", "서울"),
    ("서울의료원", "Seoul Medical Center", "11100002", "general", "서울"),
    ("성남시의료원", "Seongnam Citizens Medical Center", "31100003", "general", "경기"),
    ("강원대학교병원", "Kangwon National University Hospital", "32100004", "tertiary", "강원"),
    ("영월의료원", "Yeongwol Medical Center", "32100005", "general", "강원"),
    ("강릉의료원", "Gangneung Medical Center", "32100006", "general", "강원"),
    ("전남대학교병원", "Chonnam National University Hospital", "36100007", "tertiary", "광주"),
    ("광주기독병원", "Kwangju Christian Hospital", "36100008", "general", "광주"),
)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    roles: tuple[str, ...] = ()
    specialty: str | None = None
    licence: str | None = None
    facility_code: str | None = None
    status: str = PhysicianProfile.Status.APPROVED
    totp: bool = False
    superuser: bool = False


PEOPLE = (
    DemoPerson(
        "cardio@demo.hybridmd.kr",
        "김민준",
        specialty="IM-CARD",
        licence="100001",
        facility_code="11100001",
    ),
    DemoPerson(
        "radiology@demo.hybridmd.kr",
        "이서연",
        specialty="RAD",
        licence="100002",
        facility_code="11100002",
    ),
    DemoPerson(
        "family@demo.hybridmd.kr",
        "박지훈",
        specialty="FM",
        licence="100003",
        facility_code="31100003",
    ),
    DemoPerson("gp@demo.hybridmd.kr", "최유진", licence="100004"),
    DemoPerson(
        "applicant@demo.hybridmd.kr",
        "정하늘",
        specialty="OS",
        licence="100005",
        status=PhysicianProfile.Status.PENDING,
    ),
    DemoPerson(
        "coordinator@demo.hybridmd.kr",
        "한지민",
        roles=("referral_coordinator",),
        facility_code="11100001",
        totp=True,
    ),
    DemoPerson("verifier@demo.hybridmd.kr", "윤검증", roles=("verifier",), totp=True),
    DemoPerson("moderator@demo.hybridmd.kr", "서모더", roles=("moderator",), totp=True),
    DemoPerson("admin@demo.hybridmd.kr", "관리자", roles=("admin",), totp=True, superuser=True),
    DemoPerson("vendor@demo.hybridmd.kr", "AI Vendor Demo", roles=("ai_vendor",)),
    DemoPerson("lawyer@demo.hybridmd.kr", "강법률", roles=("partner_consultant",)),
)


def _licence_card(name: str, licence: str) -> ContentFile[bytes]:
    image = Image.new("RGB", (480, 300), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 471, 291), outline=(40, 80, 120), width=3)
    draw.text((24, 24), "DEMO MEDICAL LICENCE (not real)", fill=(40, 80, 120))
    draw.text((24, 80), f"No. {licence}", fill=(0, 0, 0))
    draw.text((24, 120), name.encode("ascii", "replace").decode(), fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="proof.png")


def _user(person: DemoPerson) -> User:
    user, created = User.objects.get_or_create(
        email=person.email,
        defaults={
            "full_name": person.full_name,
            "is_staff": person.superuser,
            "is_superuser": person.superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    if (
        person.totp
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _physician(person: DemoPerson, user: User, facilities: dict[str, Facility]) -> None:
    if person.licence is None or PhysicianProfile.objects.filter(user=user).exists():
        return
    specialty = Specialty.objects.get(code=person.specialty) if person.specialty else None
    facility = facilities.get(person.facility_code or "")
    profile = PhysicianProfile(
        user=user,
        licence_number=person.licence,
        specialty=specialty,
        workplace_name=facility.name if facility else "최유진의원",
        facility=facility,
        proof_content_type="image/png",
        status=person.status,
    )
    card = _licence_card(person.full_name, person.licence)
    profile.proof_sha256 = hashlib.sha256(card.read()).hexdigest()
    card.seek(0)
    profile.proof.save("proof.png", card, save=False)
    if person.status == PhysicianProfile.Status.APPROVED:
        profile.reviewed_at = timezone.now()
    profile.save()
    if person.status == PhysicianProfile.Status.APPROVED:
        services.membership_grant(user=user, role_code=services.PHYSICIAN)
        if specialty is not None:
            services.membership_grant(user=user, role_code=services.SPECIALIST)


@transaction.atomic
def seed() -> dict[str, int]:
    sync_roles(Role)
    sync_specialties(Specialty)
    facilities: dict[str, Facility] = {}
    for name, name_en, code, tier, region in FACILITIES:
        facilities[code], _ = Facility.objects.update_or_create(
            institution_code=code,
            defaults={"name": name, "name_en": name_en, "tier": tier, "region": region},
        )
    for person in PEOPLE:
        user = _user(person)
        _physician(person, user, facilities)
        if "partner_consultant" in person.roles:
            ConsultantProfile.objects.get_or_create(
                user=user, defaults={"profession": "lawyer", "firm_name": "법무법인 메디로"}
            )
        for role in person.roles:
            facility = (
                facilities[person.facility_code]
                if person.facility_code and role in {"referral_coordinator", "hospital_physician"}
                else None
            )
            services.membership_grant(user=user, role_code=role, facility=facility)
    return {"facilities": len(facilities), "people": len(PEOPLE)}
