"""allauth hooks: sign-in events go to the audit trail; sign-up records the language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import get_language

from hybridmd.accounts import services
from hybridmd.accounts.models import User, as_user


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            services.sign_in_record(
                action="auth.login_rate_limited",
                request=request,
                email=str(credentials.get("email", "")),
            )
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        services.sign_in_record(
            action="auth.login_failed", request=request, email=str(credentials.get("email", ""))
        )

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        services.sign_in_record(action="auth.login", request=request, user=as_user(user))

    def logout(self, request: HttpRequest) -> None:
        user = request.user
        if isinstance(user, User):
            services.sign_in_record(action="auth.logout", request=request, user=user)
        super().logout(request)

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: Form, commit: bool = True
    ) -> AbstractBaseUser:
        user = as_user(user)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        language = (get_language() or "ko")[:2]
        user.language = language if language in {"ko", "en"} else "ko"
        saved: AbstractBaseUser = super().save_user(request, user, form, commit=commit)
        return saved
