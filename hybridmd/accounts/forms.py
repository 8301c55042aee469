"""Forms for registration, resubmission and verification decisions."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hybridmd.accounts import selectors, services
from hybridmd.accounts.models import (
    Facility,
    PhysicianProfile,
    Specialty,
    as_user,
    licence_number_validator,
)
from hybridmd.accounts.proof import check_proof

_LICENCE_DECORATION = re.compile(r"^(?:no\.?|제)\s*|\s*호$|[\s\-]", re.IGNORECASE)


def normalise_licence_number(raw: str) -> str:
    """'제 012345 호' -> '12345': strip the usual decorations and leading zeros."""
    digits = _LICENCE_DECORATION.sub("", raw.strip())
    stripped = digits.lstrip("0")
    return stripped if stripped else digits


class _ProfileFields(forms.Form):
    licence_number = forms.CharField(
        label=_("Medical licence number (의사 면허번호)"),
        max_length=20,
        help_text=_("The number on your licence issued by the Ministry of Health and Welfare."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    specialty = forms.ModelChoiceField(
        label=_("Specialty"),
        queryset=Specialty.objects.all(),
        required=False,
        empty_label=_("General practitioner (일반의), no board specialty"),
    )
    workplace_name = forms.CharField(label=_("Hospital or clinic"), max_length=120)
    facility = forms.ModelChoiceField(
        label=_("Hospital on Hybrid MD (optional)"),
        queryset=Facility.objects.all(),
        required=False,
        empty_label=_("Not listed"),
    )
    proof = forms.FileField(
        label=_("Proof of licence"),
        help_text=_("A photo or scan of your licence: JPEG, PNG, WebP or PDF, up to 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )

    exclude_profile_pk: int | None = None

    def clean_licence_number(self) -> str:
        number = normalise_licence_number(self.cleaned_data["licence_number"])
        licence_number_validator(number)
        if selectors.licence_number_taken(number, exclude_profile_pk=self.exclude_profile_pk):
            raise ValidationError(
                _(
                    "This licence number is already registered. If it is yours, "
                    "contact support@hybridmd.kr."
                ),
                code="duplicate",
            )
        return number

    def clean_proof(self) -> Any:
        proof = self.cleaned_data["proof"]
        check_proof(proof, max_bytes=settings.HYBRIDMD_PROOF_MAX_BYTES)
        return proof


class PhysicianSignupForm(_ProfileFields, SignupForm):  # type: ignore[misc]
    """allauth's sign-up (email, password) plus what a verifier needs to check a licence."""

    full_name = forms.CharField(
        label=_("Full name (real name)"),
        max_length=100,
        help_text=_("Answers are always shown under your real name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = (
        "email",
        "password1",
        "password2",
        "full_name",
        "licence_number",
        "specialty",
        "workplace_name",
        "facility",
        "proof",
    )

    profile: PhysicianProfile | None = None

    def signup(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        self.profile = services.physician_register(
            user=as_user(user),
            full_name=self.cleaned_data["full_name"].strip(),
            licence_number=self.cleaned_data["licence_number"],
            specialty=self.cleaned_data["specialty"],
            workplace_name=self.cleaned_data["workplace_name"].strip(),
            facility=self.cleaned_data["facility"],
            proof=self.cleaned_data["proof"],
            request=request,
        )

    def save(self, request: HttpRequest) -> AbstractBaseUser:
        # User, e-mail address, profile and proof file land together or not at all.
        self.profile = None
        try:
            with transaction.atomic():
                user: AbstractBaseUser = super().save(request)
        except BaseException:
            if self.profile is not None and self.profile.proof.name:
                self.profile.proof.storage.delete(self.profile.proof.name)
            raise
        return user


class ResubmitForm(_ProfileFields):
    def __init__(self, *args: Any, profile: PhysicianProfile, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "licence_number": profile.licence_number,
                "specialty": profile.specialty,
                "workplace_name": profile.workplace_name,
                "facility": profile.facility,
            },
        )
        super().__init__(*args, **kwargs)
        self.exclude_profile_pk = profile.pk


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", _("Approve")), ("reject", _("Reject"))), widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason for rejection (shown to the applicant)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the applicant a reason for the rejection."))
        return data


class HybridLoginForm(LoginForm):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")
