from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from wellness.people.models import (
    AccessorRole,
    AccessToken,
    ConsentRecord,
    Passkey,
    Profile,
    User,
)
from wellness.people.roles import STAFF, role_lost
from wellness.people.services import account_remove, health_data_access_record

if TYPE_CHECKING:
    # Typed for AbstractUser, which our User is not; it shows only the fields named below.
    _UserAdmin = BaseUserAdmin[Any]
    _ProfileAdmin = admin.ModelAdmin[Profile]
    _ConsentRecordAdmin = admin.ModelAdmin[ConsentRecord]
    _AccessTokenAdmin = admin.ModelAdmin[AccessToken]
    _PasskeyAdmin = admin.ModelAdmin[Passkey]
else:  # the admin classes are generic only in django-stubs
    _UserAdmin = BaseUserAdmin
    _ProfileAdmin = _ConsentRecordAdmin = _AccessTokenAdmin = _PasskeyAdmin = admin.ModelAdmin


@admin.register(User)
class UserAdmin(_UserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    # Unticking staff (and superuser) takes the staff role away: the sockets opened as staff close.
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        was_staff = (
            change
            and User.objects.filter(pk=obj.pk).exclude(is_staff=False, is_superuser=False).exists()
        )
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if was_staff and not (obj.is_staff or obj.is_superuser):
                role_lost(user_id=obj.pk, role=STAFF)

    # Deleting from the admin is an account deletion like the person's own, through the service.
    def delete_model(self, request: HttpRequest, obj: User) -> None:
        account_remove(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            account_remove(user=user)


@admin.register(Profile)
class ProfileAdmin(_ProfileAdmin):
    list_display = ["display_name", "user", "time_zone"]
    search_fields = ["display_name", "user__email"]

    # The change page shows physiology, which is health data: opening it is an audited read.
    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        profile = super().get_object(request, object_id, from_field)
        if profile is not None and isinstance(request.user, User):
            health_data_access_record(
                accessor=request.user,
                role=AccessorRole.ADMIN,
                why="opened in the admin",
                reads={profile.user_id: "profile physiology"},
            )
        return profile


@admin.register(ConsentRecord)
class ConsentRecordAdmin(_ConsentRecordAdmin):
    list_display = ["user", "purpose", "granted", "policy_version", "recorded_at"]
    readonly_fields = ["user", "purpose", "granted", "policy_version", "recorded_at"]


@admin.register(AccessToken)
class AccessTokenAdmin(_AccessTokenAdmin):
    list_display = ["name", "user", "scope", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]


@admin.register(Passkey)
class PasskeyAdmin(_PasskeyAdmin):
    """Staff can see and delete a passkey (a person who lost theirs); only its owner adds one."""

    list_display = ["name", "user", "created_at", "last_used_at"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "name", "confirmed", "credential_id", "sign_count", "transports",
                       "created_at", "last_used_at"]  # fmt: skip
    exclude = ["public_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
