"""Administrators verify community organizers here (or through ``PUT /api/v1/organizers/<id>/verified/``)."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from challenges.models import OrganizerVerification

if TYPE_CHECKING:
    _VerificationAdmin = admin.ModelAdmin[OrganizerVerification]
else:  # the admin classes are generic only in django-stubs
    _VerificationAdmin = admin.ModelAdmin


@admin.register(OrganizerVerification)
class OrganizerVerificationAdmin(_VerificationAdmin):
    list_display = ["user", "verified_by", "verified_at"]
    fields = ["user"]
    raw_id_fields = ["user"]

    def save_model(
        self, request: HttpRequest, obj: OrganizerVerification, form: Any, change: bool
    ) -> None:
        obj.verified_by = request.user  # type: ignore[assignment]  # the admin's user is a User
        super().save_model(request, obj, form, change)
