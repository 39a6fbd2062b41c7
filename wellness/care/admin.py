"""Admin pages for care: staff verify clinicians here (or through the API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from wellness.care import services
from wellness.care.models import CareOrganisation, ClinicianProfile, OrganisationAdministrator
from wellness.core.errors import DomainError
from wellness.people.models import User

if TYPE_CHECKING:
    _OrganisationAdmin = admin.ModelAdmin[CareOrganisation]
    _ClinicianAdmin = admin.ModelAdmin[ClinicianProfile]
    _AdministratorInline = admin.TabularInline[OrganisationAdministrator, CareOrganisation]
else:  # the admin classes are generic only in django-stubs
    _OrganisationAdmin = _ClinicianAdmin = admin.ModelAdmin
    _AdministratorInline = admin.TabularInline


class AdministratorInline(_AdministratorInline):
    model = OrganisationAdministrator
    fk_name = "organisation"
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(CareOrganisation)
class CareOrganisationAdmin(_OrganisationAdmin):
    list_display = ["name", "kind", "created_at"]
    search_fields = ["name"]
    inlines = [AdministratorInline]
    raw_id_fields = ["created_by"]


@admin.register(ClinicianProfile)
class ClinicianProfileAdmin(_ClinicianAdmin):
    """Verification goes through the services (never oneself; un-verifying ends access at once)."""

    list_display = [
        "professional_name",
        "profession",
        "registration_number",
        "organisation",
        "verified_at",
    ]
    list_filter = ["profession", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["professional_name", "registration_number", "user__email"]
    readonly_fields = ["user", "invite_code", "verified_at", "verified_by", "created_at"]
    actions = ["verify", "unverify"]

    def _each(
        self, request: HttpRequest, queryset: QuerySet[ClinicianProfile], action: Any
    ) -> None:
        assert isinstance(request.user, User)
        for profile in queryset:
            try:
                action(by=request.user, clinician_id=profile.pk)
            except DomainError as exc:
                self.message_user(request, f"{profile}: {exc.message}", messages.ERROR)

    @admin.action(description="Verify the selected clinicians")
    def verify(self, request: HttpRequest, queryset: QuerySet[ClinicianProfile]) -> None:
        self._each(request, queryset, services.clinician_verify)

    @admin.action(description="Take verification away (ends their access at once)")
    def unverify(self, request: HttpRequest, queryset: QuerySet[ClinicianProfile]) -> None:
        self._each(request, queryset, services.clinician_unverify)
