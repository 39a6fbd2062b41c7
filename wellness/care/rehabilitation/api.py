"""HTTP endpoints for rehabilitation: validate, call one service or selector, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.care import services as care_services
from wellness.care.models import ClinicianProfile, GrantCategory, RehabProgram, RehabSession
from wellness.care.rehabilitation import selectors, services
from wellness.care.rehabilitation.serializers import (
    ExerciseFilterInput,
    ExerciseInput,
    ExerciseLogInput,
    ExerciseOutput,
    ProgramInput,
    ProgramOutput,
    ProgramOverviewOutput,
    ProgramReviseInput,
    ProgramSummaryOutput,
    ProgramVersionOutput,
    RehabSessionOutput,
    RehabSessionStartInput,
)
from wellness.care.selectors import acting_clinician, clinician_for_patient_data
from wellness.people.permissions import request_user


class ExerciseListView(APIView):
    @extend_schema(
        parameters=[ExerciseFilterInput],
        responses=ExerciseOutput(many=True),
        summary="The exercise library: shipped exercises and your organisation's own.",
    )
    def get(self, request: Request) -> Response:
        filters = ExerciseFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        exercises = selectors.exercises_visible(
            user=request_user(request),
            body_region=filters.validated_data.get("region"),
            equipment=filters.validated_data.get("equipment"),
            position=filters.validated_data.get("position"),
        )
        return Response(ExerciseOutput(exercises, many=True).data)

    @extend_schema(
        request=ExerciseInput,
        responses={201: ExerciseOutput},
        summary="As a verified therapist, add an exercise shared within your organisation.",
    )
    def post(self, request: Request) -> Response:
        data = ExerciseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        positions = values.pop("positions")
        exercise = services.exercise_create(
            clinician_user=request_user(request),
            seated="seated" in positions,
            standing="standing" in positions,
            **values,
        )
        return Response(ExerciseOutput(exercise).data, status=status.HTTP_201_CREATED)


class ExerciseDetailView(APIView):
    @extend_schema(responses=ExerciseOutput, summary="One exercise of the library.")
    def get(self, request: Request, exercise_id: int) -> Response:
        exercise = selectors.exercise_visible(user=request_user(request), exercise_id=exercise_id)
        return Response(ExerciseOutput(exercise).data)


# --- Programs ------------------------------------------------------------------------------------
def _recorded(
    request: Request, clinician: ClinicianProfile | None, patient_id: int, what: str
) -> None:
    """A clinician's read of the patient's rehabilitation data goes to their access log, once per
    request (the patient's own reads do not)."""
    if clinician is not None:
        care_services.clinician_read_record(
            reader=request_user(request), clinician=clinician, patient_id=patient_id, what=what
        )


# The prescribing therapist may hold no grant: a ceiling derived from the patient's physiology
# (resting + 20 bpm reveals the resting heart rate) is shown only on an audited read.
CEILING_ON_READ = selectors.CeilingNow(
    None, "Shown to the patient, and to clinicians with a live rehabilitation grant."
)


def _program_data(program: RehabProgram, *, ceiling_visible: bool = True) -> dict[str, Any]:
    version = selectors.program_version_latest(program=program)
    ceiling = (
        selectors.ceiling_now(version=version, patient_id=program.patient_id)
        if ceiling_visible
        else CEILING_ON_READ
    )
    return dict(ProgramOutput(program, context={"version": version, "ceiling": ceiling}).data)


class ProgramListView(APIView):
    @extend_schema(
        responses=ProgramSummaryOutput(many=True), summary="Your rehabilitation programs."
    )
    def get(self, request: Request) -> Response:
        programs = selectors.programs_of(patient_id=request_user(request).pk)
        return Response(ProgramSummaryOutput(programs, many=True).data)

    @extend_schema(
        request=ProgramInput,
        responses={201: ProgramOutput},
        summary="As a therapist in active care of the patient, prescribe a program.",
    )
    def post(self, request: Request) -> Response:
        data = ProgramInput(data=request.data)
        data.is_valid(raise_exception=True)
        program = services.program_prescribe(
            clinician_user=request_user(request), **data.validated_data
        )
        return Response(
            _program_data(program, ceiling_visible=False), status=status.HTTP_201_CREATED
        )


class ProgramDetailView(APIView):
    @extend_schema(
        responses=ProgramOutput,
        summary="A program: its patient, or a clinician with a live rehabilitation grant (logged).",
    )
    def get(self, request: Request, program_id: int) -> Response:
        program, clinician = selectors.program_for_reader(user=request.user, program_id=program_id)
        data = _program_data(program)
        _recorded(request, clinician, program.patient_id, f"rehabilitation program {program.title}")
        return Response(data)


class ProgramEndView(APIView):
    @extend_schema(
        request=None,
        responses=ProgramSummaryOutput,
        summary="End a program (its patient, or a therapist in their care).",
    )
    def post(self, request: Request, program_id: int) -> Response:
        program = services.program_end(user=request_user(request), program_id=program_id)
        return Response(ProgramSummaryOutput(program).data)


class ProgramVersionsView(APIView):
    @extend_schema(
        responses=ProgramVersionOutput(many=True),
        summary="Every version of a program, oldest first.",
    )
    def get(self, request: Request, program_id: int) -> Response:
        program, clinician = selectors.program_for_reader(user=request.user, program_id=program_id)
        versions = ProgramVersionOutput(selectors.program_versions(program=program), many=True).data
        _recorded(
            request,
            clinician,
            program.patient_id,
            f"versions of rehabilitation program {program.title}",
        )
        return Response(versions)

    @extend_schema(
        request=ProgramReviseInput,
        responses={201: ProgramVersionOutput},
        summary="Change the program: a new version (sessions done keep theirs).",
    )
    def post(self, request: Request, program_id: int) -> Response:
        data = ProgramReviseInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.program_revise(
            clinician_user=request_user(request), program_id=program_id, **data.validated_data
        )
        return Response(ProgramVersionOutput(version).data, status=status.HTTP_201_CREATED)


class PatientProgramsView(APIView):
    @extend_schema(
        responses=ProgramSummaryOutput(many=True),
        summary="A patient's programs, for a clinician with a live rehabilitation grant (logged).",
    )
    def get(self, request: Request, patient_id: int) -> Response:
        clinician = clinician_for_patient_data(
            user=request.user, patient_id=patient_id, category=GrantCategory.REHABILITATION
        )
        programs = ProgramSummaryOutput(
            selectors.programs_of(patient_id=patient_id), many=True
        ).data
        _recorded(request, clinician, patient_id, "rehabilitation programs")
        return Response(programs)


# --- Sessions ------------------------------------------------------------------------------------
class ProgramSessionsView(APIView):
    @extend_schema(
        responses=RehabSessionOutput(many=True),
        summary="A program's sessions, newest first (a clinician needs a live grant; logged).",
    )
    def get(self, request: Request, program_id: int) -> Response:
        program, clinician = selectors.program_for_reader(user=request.user, program_id=program_id)
        sessions = RehabSessionOutput(selectors.program_sessions(program=program), many=True).data
        _recorded(
            request,
            clinician,
            program.patient_id,
            f"sessions of rehabilitation program {program.title}",
        )
        return Response(sessions)

    @extend_schema(
        request=RehabSessionStartInput,
        responses={201: RehabSessionOutput},
        summary="Start a session of your program (or get the one under way).",
    )
    def post(self, request: Request, program_id: int) -> Response:
        data = RehabSessionStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_start(
            patient=request_user(request), program_id=program_id, **data.validated_data
        )
        return _session_response(session, status.HTTP_201_CREATED)


def _session_response(session: RehabSession, code: int = status.HTTP_200_OK) -> Response:
    fresh, _ = selectors.session_for_reader(user=session.patient, session_id=session.pk)
    return Response(RehabSessionOutput(fresh).data, status=code)


class SessionDetailView(APIView):
    @extend_schema(
        responses=RehabSessionOutput,
        summary="A session with its logs and summary (a clinician needs a live grant; logged).",
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, clinician = selectors.session_for_reader(user=request.user, session_id=session_id)
        data = RehabSessionOutput(session).data
        _recorded(
            request,
            clinician,
            session.patient_id,
            f"the rehabilitation session of {session.started_at:%d %B %Y}",
        )
        return Response(data)


class SessionLogsView(APIView):
    @extend_schema(
        request=ExerciseLogInput,
        responses={201: RehabSessionOutput},
        summary="Log an exercise: sets, reps, pain and RPE (pain at the stop rule ends the session).",
    )
    def post(self, request: Request, session_id: int) -> Response:
        data = ExerciseLogInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_log(
            patient=request_user(request), session_id=session_id, **data.validated_data
        )
        return _session_response(session, status.HTTP_201_CREATED)


class SessionEndView(APIView):
    @extend_schema(
        request=None, responses=RehabSessionOutput, summary="End the session: its summary."
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = services.session_end(patient=request_user(request), session_id=session_id)
        return _session_response(session)


# --- Adherence and the therapist's overview --------------------------------------------------------
class ProgramAdherenceView(APIView):
    @extend_schema(
        responses=ProgramOverviewOutput,
        summary="A program's adherence (done vs planned), last session and alerts.",
    )
    def get(self, request: Request, program_id: int) -> Response:
        program, clinician = selectors.program_for_reader(user=request.user, program_id=program_id)
        data = ProgramOverviewOutput(selectors.program_overview(program=program)).data
        _recorded(
            request,
            clinician,
            program.patient_id,
            f"adherence to rehabilitation program {program.title}",
        )
        return Response(data)


class RehabPatientsView(APIView):
    @extend_schema(
        responses=ProgramOverviewOutput(many=True),
        summary="Your patients' active programs (those sharing rehabilitation with you now): "
        "adherence, last pain and RPE, alerts. Each patient's access log records the read.",
    )
    def get(self, request: Request) -> Response:
        clinician = acting_clinician(user=request.user)
        overview = selectors.rehab_patients_overview(clinician=clinician)
        care_services.clinician_reads_record(
            reader=request_user(request),
            clinician=clinician,
            reads={row.patient_id: "rehabilitation adherence and alerts" for row in overview},
        )
        return Response(ProgramOverviewOutput(overview, many=True).data)
