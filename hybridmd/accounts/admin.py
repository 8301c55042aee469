"""Django admin for platform staff. Role grants go through services so they are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hybridmd.accounts import services
from hybridmd.accounts.models import (
    Facility,
    Membership,
    PhysicianProfile,
    Role,
    Specialty,
    User,
    as_user,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined")
    search_fields = ("email", "full_name")
    list_filter = ("is_active", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ()


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin[Facility]):
    list_display = ("name", "institution_code", "tier", "region")
    list_filter = ("tier", "region")
    search_fields = ("name", "name_en", "institution_code")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    """Roles are data from roles.json; change them there and migrate, not here."""

    list_display = ("code", "name_ko", "name_en", "scope", "requires_mfa")
    readonly_fields = ("code", "name_ko", "name_en", "scope", "requires_mfa", "permissions")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return False


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin[Specialty]):
    list_display = ("code", "name_ko", "name_en", "parent")
    readonly_fields = ("code",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "role", "facility", "granted_at")
    list_filter = ("role", "facility")
    search_fields = ("user__email", "user__full_name")
    autocomplete_fields = ("user", "facility")
    fields = ("user", "role", "facility", "title")

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False  # revoke and grant again, so both are on the audit trail

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool
    ) -> None:
        saved = services.membership_grant(
            user=obj.user,
            role_code=obj.role.code,
            facility=obj.facility,
            granted_by=as_user(request.user),
            title=obj.title,
            request=request,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_revoke(
            user=obj.user,
            role_code=obj.role.code,
            facility=obj.facility,
            revoked_by=as_user(request.user),
            request=request,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "role", "facility"):
            self.delete_model(request, membership)


@admin.register(PhysicianProfile)
class PhysicianProfileAdmin(admin.ModelAdmin[PhysicianProfile]):
    """Read-only: decisions are made in the verification queue, where they are audited."""

    list_display = (
        "user",
        "licence_number",
        "specialty",
        "workplace_name",
        "status",
        "submitted_at",
    )
    list_filter = ("status", "specialty")
    search_fields = ("user__email", "user__full_name", "licence_number", "workplace_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
