"""HTTP endpoints for care: validate, call one service or selector, serialize.

Organisations and clinicians, the patient's care team and grants, and a clinician's reads of a
patient's data. Every such read checks the clinician and the live grant of its category in one
query and writes one access-log entry for the request, never one per row.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.care import alerts, selectors, services
from wellness.care.models import ClinicianProfile, ConsultationNote, GrantCategory
from wellness.care.serializers import (
    AdministeredClinicianOutput,
    AdministratorOutput,
    AlertOutput,
    CareTeamMemberOutput,
    CareWorkoutOutput,
    CareWorkoutSamplesOutput,
    ClassMetricsOutput,
    ClinicianApplyInput,
    ClinicianOutput,
    EmailInput,
    GrantInput,
    GrantOutput,
    GrantRenewInput,
    HrvOutput,
    MessageOutput,
    NoteInput,
    NoteOutput,
    OrganisationInput,
    OrganisationOutput,
    OwnClinicianProfileOutput,
    PatientOutput,
    PhysiologyOutput,
    TeamAddInput,
)
from wellness.core.errors import NotFound
from wellness.core.rest import Pagination
from wellness.people.permissions import request_user
from wellness.workouts.samples import samples_as_json
from wellness.workouts.selectors import workout_series

REQUEST_SENT = (
    "If this address belongs to a verified clinician, they now see your request and can accept it."
)
INVITATION_SENT = "If this address has a Wellverse account, the person now sees your invitation."


# --- Organisations -------------------------------------------------------------------------------
class OrganisationListView(APIView):
    @extend_schema(responses=OrganisationOutput(many=True), summary="Organisations you administer.")
    def get(self, request: Request) -> Response:
        organisations = selectors.organisations_administered_by(user=request_user(request))
        return Response(OrganisationOutput(organisations, many=True).data)

    @extend_schema(
        request=OrganisationInput,
        responses={201: OrganisationOutput},
        summary="Create a care organisation; you become its first administrator.",
    )
    def post(self, request: Request) -> Response:
        data = OrganisationInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_create(
            user=request_user(request), **data.validated_data
        )
        return Response(OrganisationOutput(organisation).data, status=status.HTTP_201_CREATED)


class OrganisationAdministratorsView(APIView):
    @extend_schema(responses=AdministratorOutput(many=True))
    def get(self, request: Request, organisation_id: int) -> Response:
        organisation = selectors.organisation_administered(
            user=request_user(request), organisation_id=organisation_id
        )
        administrators = selectors.organisation_administrators(organisation=organisation)
        return Response(AdministratorOutput(administrators, many=True).data)

    @extend_schema(
        request=EmailInput,
        responses={201: AdministratorOutput},
        summary="Make another person (by their account's email) an administrator too.",
    )
    def post(self, request: Request, organisation_id: int) -> Response:
        data = EmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        administrator = services.organisation_administrator_add(
            by=request_user(request), organisation_id=organisation_id, **data.validated_data
        )
        return Response(AdministratorOutput(administrator).data, status=status.HTTP_201_CREATED)


class OrganisationAdministratorDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Remove an administrator (never the last one).")
    def delete(self, request: Request, organisation_id: int, user_id: int) -> Response:
        services.organisation_administrator_remove(
            by=request_user(request), organisation_id=organisation_id, user_id=user_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganisationCliniciansView(APIView):
    @extend_schema(
        responses=AdministeredClinicianOutput(many=True),
        summary="The organisation's clinicians, for its administrators to verify.",
    )
    def get(self, request: Request, organisation_id: int) -> Response:
        organisation = selectors.organisation_administered(
            user=request_user(request), organisation_id=organisation_id
        )
        clinicians = selectors.organisation_clinicians(organisation=organisation)
        return Response(AdministeredClinicianOutput(clinicians, many=True).data)


# --- Clinicians ----------------------------------------------------------------------------------
class OwnClinicianProfileView(APIView):
    @extend_schema(responses=OwnClinicianProfileOutput, summary="Your clinician profile.")
    def get(self, request: Request) -> Response:
        profile = selectors.clinician_profile_of(user=request_user(request))
        if profile is None:
            raise NotFound("You have no clinician profile.")
        return Response(OwnClinicianProfileOutput(profile).data)

    @extend_schema(
        request=ClinicianApplyInput,
        responses={201: OwnClinicianProfileOutput},
        summary="Apply for a clinician profile; it acts once verified, and needs two factors.",
    )
    def post(self, request: Request) -> Response:
        data = ClinicianApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        profile = services.clinician_apply(
            user=request_user(request), organisation_id=values.pop("organisation", None), **values
        )
        return Response(OwnClinicianProfileOutput(profile).data, status=status.HTTP_201_CREATED)


class ClinicianVerificationView(APIView):
    @extend_schema(
        request=None,
        responses=ClinicianOutput,
        summary="Verify a clinician (staff, or an administrator of their organisation).",
    )
    def post(self, request: Request, clinician_id: int) -> Response:
        profile = services.clinician_verify(by=request_user(request), clinician_id=clinician_id)
        return Response(ClinicianOutput(profile).data)

    @extend_schema(
        responses=ClinicianOutput, summary="Take verification away: their access ends at once."
    )
    def delete(self, request: Request, clinician_id: int) -> Response:
        profile = services.clinician_unverify(by=request_user(request), clinician_id=clinician_id)
        return Response(ClinicianOutput(profile).data)


# --- The patient's care team and grants ----------------------------------------------------------
class CareTeamView(APIView):
    @extend_schema(
        responses=CareTeamMemberOutput(many=True),
        summary="Your care team: clinicians, invitations awaiting you, and your grants.",
    )
    def get(self, request: Request) -> Response:
        team = selectors.care_team_of(patient=request_user(request))
        return Response(CareTeamMemberOutput(team, many=True, context={"now": timezone.now()}).data)

    @extend_schema(
        request=TeamAddInput,
        responses={201: CareTeamMemberOutput, 202: MessageOutput},
        summary="Add a clinician by their invite code (active at once) or ask one by email.",
    )
    def post(self, request: Request) -> Response:
        data = TeamAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        patient = request_user(request)
        if data.validated_data.get("email"):
            services.care_relationship_request_by_email(
                patient=patient, email=data.validated_data["email"]
            )
            return Response({"detail": REQUEST_SENT}, status=status.HTTP_202_ACCEPTED)
        relationship = services.care_relationship_add_by_code(
            patient=patient, invite_code=data.validated_data["invite_code"]
        )
        member = selectors.relationship_of_patient(patient=patient, relationship_id=relationship.pk)
        return Response(CareTeamMemberOutput(member).data, status=status.HTTP_201_CREATED)


class RelationshipAcceptView(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Accept an invitation (the patient) or a patient's request (the clinician).",
    )
    def post(self, request: Request, relationship_id: int) -> Response:
        services.care_relationship_accept(
            user=request_user(request), relationship_id=relationship_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RelationshipDetailView(APIView):
    @extend_schema(
        responses={204: None},
        summary="End the care relationship or decline the invitation; every grant ends with it.",
    )
    def delete(self, request: Request, relationship_id: int) -> Response:
        services.care_relationship_end(user=request_user(request), relationship_id=relationship_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GrantListView(APIView):
    @extend_schema(
        request=GrantInput,
        responses={201: GrantOutput},
        summary="Share one category with this clinician (default 90 days, at most 365).",
    )
    def post(self, request: Request, relationship_id: int) -> Response:
        data = GrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.sharing_grant_create(
            patient=request_user(request), relationship_id=relationship_id, **data.validated_data
        )
        return Response(GrantOutput(grant).data, status=status.HTTP_201_CREATED)


class GrantRenewView(APIView):
    @extend_schema(
        request=GrantRenewInput,
        responses=GrantOutput,
        summary="Renew a grant until expires_at (default 90 days from now, at most 365).",
    )
    def post(self, request: Request, grant_id: int) -> Response:
        data = GrantRenewInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.sharing_grant_renew(
            patient=request_user(request), grant_id=grant_id, **data.validated_data
        )
        return Response(GrantOutput(grant).data)


class GrantDetailView(APIView):
    @extend_schema(responses=GrantOutput, summary="Revoke the grant now.")
    def delete(self, request: Request, grant_id: int) -> Response:
        grant = services.sharing_grant_revoke(patient=request_user(request), grant_id=grant_id)
        return Response(GrantOutput(grant).data)


# --- The clinician's side ------------------------------------------------------------------------
class InvitationView(APIView):
    @extend_schema(
        request=EmailInput,
        responses={202: MessageOutput},
        summary="As a verified clinician of an organisation, invite a person to your care.",
    )
    def post(self, request: Request) -> Response:
        data = EmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.care_relationship_invite_patient(
            clinician_user=request_user(request), email=data.validated_data["email"]
        )
        return Response({"detail": INVITATION_SENT}, status=status.HTTP_202_ACCEPTED)


class PatientListView(APIView):
    @extend_schema(
        responses=PatientOutput(many=True),
        summary="Your patients, the categories they share with you now, and requests awaiting you.",
    )
    def get(self, request: Request) -> Response:
        clinician = selectors.acting_clinician(user=request.user)
        patients = selectors.patients_of(clinician=clinician)
        return Response(PatientOutput(patients, many=True, context={"now": timezone.now()}).data)


class AlertListView(APIView):
    @extend_schema(
        responses=AlertOutput(many=True),
        summary="What needs your attention as a clinician: sharing revoked or ending soon, "
        "consultations cancelled; newest first.",
    )
    def get(self, request: Request) -> Response:
        clinician = selectors.acting_clinician(user=request.user)
        found = alerts.clinician_alerts(clinician=clinician, now=timezone.now())
        reads = {a.patient_id: a.health_read for a in found if a.health_read}
        if reads:
            services.clinician_reads_record(
                reader=request_user(request), clinician=clinician, reads=reads
            )
        return Response(AlertOutput(found, many=True).data)


def _clinician(request: Request, patient_id: int, category: str) -> ClinicianProfile:
    return selectors.clinician_for_patient_data(
        user=request.user, patient_id=patient_id, category=category
    )


def _recorded(request: Request, clinician: ClinicianProfile, patient_id: int, what: str) -> None:
    services.clinician_read_record(
        reader=request_user(request), clinician=clinician, patient_id=patient_id, what=what
    )


class PatientWorkoutsView(APIView):
    @extend_schema(
        responses=CareWorkoutOutput(many=True), summary="A patient's workouts and scores."
    )
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = _clinician(request, patient_id, GrantCategory.WORKOUTS)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.patient_workouts(patient_id=patient_id), request, view=self
        )
        assert page is not None
        what = f"workouts of {selectors.period_described([w['started_at'] for w in page])}"
        _recorded(request, clinician, patient_id, what)
        return paginator.get_paginated_response(CareWorkoutOutput(page, many=True).data)


class PatientWorkoutView(APIView):
    @extend_schema(
        responses=CareWorkoutSamplesOutput,
        summary="One of a patient's workouts with its samples (heart rate and the rest).",
    )
    def get(self, request: Request, patient_id: int, workout_id: int) -> Response:
        clinician = _clinician(request, patient_id, GrantCategory.SAMPLES)
        workout = selectors.patient_workout(patient_id=patient_id, workout_id=workout_id)
        series = workout_series(workout=workout["id"])
        _recorded(
            request,
            clinician,
            patient_id,
            f"the samples of the workout of {workout['started_at']:%d %B %Y}",
        )
        return Response(
            {
                "workout": CareWorkoutOutput(workout).data,
                "samples": samples_as_json(series.records, series.rr),
            }
        )


class PatientHrvView(APIView):
    @extend_schema(responses=HrvOutput(many=True), summary="A patient's HRV per workout.")
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = _clinician(request, patient_id, GrantCategory.HRV)
        rows = selectors.patient_hrv(patient_id=patient_id)
        what = f"heart-rate variability of {selectors.period_described([r['started_at'] for r in rows])}"
        _recorded(request, clinician, patient_id, what)
        return Response(HrvOutput(rows, many=True).data)


class PatientClassMetricsView(APIView):
    @extend_schema(responses=ClassMetricsOutput(many=True), summary="A patient's class metrics.")
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = _clinician(request, patient_id, GrantCategory.CLASS_METRICS)
        rows = selectors.patient_class_metrics(patient_id=patient_id)
        what = f"class metrics of {selectors.period_described([r['started_at'] for r in rows])}"
        _recorded(request, clinician, patient_id, what)
        return Response(ClassMetricsOutput(rows, many=True).data)


class PatientPhysiologyView(APIView):
    @extend_schema(responses=PhysiologyOutput, summary="A patient's profile physiology.")
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = _clinician(request, patient_id, GrantCategory.PHYSIOLOGY)
        physiology = selectors.patient_physiology(patient_id=patient_id)
        _recorded(request, clinician, patient_id, "profile physiology")
        return Response(PhysiologyOutput(physiology).data)


# --- Consultation notes --------------------------------------------------------------------------
class OwnNotesView(APIView):
    @extend_schema(
        responses=NoteOutput(many=True),
        summary="The notes your clinicians wrote about you, every version (amended ones marked).",
    )
    def get(self, request: Request) -> Response:
        return Response(
            NoteOutput(selectors.notes_for_patient(patient=request_user(request)), many=True).data
        )


def _note_created(note: ConsultationNote) -> Response:
    """The note as written, with every version, as its author reads it."""
    fresh = selectors.note_with_versions(note_id=note.pk)
    return Response(NoteOutput(fresh).data, status=status.HTTP_201_CREATED)


class RelationshipNotesView(APIView):
    @extend_schema(
        request=NoteInput,
        responses={201: NoteOutput},
        summary="As the clinician of this relationship, write a consultation note.",
    )
    def post(self, request: Request, relationship_id: int) -> Response:
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        parts = dict(data.validated_data)
        appointment_id = parts.pop("appointment_id", None)
        note = services.consultation_note_write(
            clinician_user=request_user(request),
            relationship_id=relationship_id,
            parts=parts,
            appointment_id=appointment_id,
        )
        return _note_created(note)


class NoteVersionsView(APIView):
    @extend_schema(
        request=NoteInput,
        responses={201: NoteOutput},
        summary="Amend your note: a new version; the earlier ones are kept, shown as amended.",
    )
    def post(self, request: Request, note_id: int) -> Response:
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.consultation_note_amend(
            clinician_user=request_user(request), note_id=note_id, parts=data.validated_data
        )
        return _note_created(note)


class PatientNotesView(APIView):
    @extend_schema(
        responses=NoteOutput(many=True), summary="The notes you wrote about this patient."
    )
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = selectors.acting_clinician(user=request.user)
        notes = list(selectors.notes_by_author(clinician=clinician, patient_id=patient_id))
        if notes:
            _recorded(request, clinician, patient_id, "consultation notes")
        return Response(NoteOutput(notes, many=True).data)
