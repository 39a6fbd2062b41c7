"""What a clinician reads of a patient (issue 21, point 2): workouts with scores, one workout's
samples, HRV, class metrics and physiology, each only with an active relationship and a live grant
of its category, as a verified clinician signed in with two factors; anything else is a 404. Each
read writes one access-log entry under the clinician's professional name, which the patient sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory, WorkoutFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import make_clinician, make_grant, make_relationship
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.care import services
from wellness.care.models import CareRelationship, ClinicianProfile, GrantCategory
from wellness.classes.models import Attendance, AttendanceStatus, Instructor
from wellness.people.models import AccessLogEntry, TokenScope, User
from wellness.people.services import access_token_create, profile_update
from wellness.scoring.models import StoredScore
from wellness.workouts.models import Workout
from wellness.workouts.services import workout_samples_store

pytestmark = pytest.mark.django_db

T0 = 1_772_400_000.0  # 1 March 2026


def _workout(patient: User, day: int = 14, *, rmssd: float | None = 42.0) -> Workout:
    workout = WorkoutFactory.create(
        user=patient, started_at=dt.datetime(2026, 3, day, 7, 0, tzinfo=dt.UTC)
    )
    StoredScore.objects.create(
        workout=workout,
        status="scored",
        points=120,
        training_load=55.5,
        metrics={"rmssd_ms": rmssd, "sdnn_ms": 51.0} if rmssd else {"avg_hr": 130},
    )
    return workout


# Each clinician read: its path and the category it needs.
READS: list[tuple[str, str]] = [
    ("workouts/", GrantCategory.WORKOUTS),
    ("workouts/{workout}/", GrantCategory.SAMPLES),
    ("hrv/", GrantCategory.HRV),
    ("class-metrics/", GrantCategory.CLASS_METRICS),
    ("physiology/", GrantCategory.PHYSIOLOGY),
]


def _path(patient: User, read: str, workout: Workout) -> str:
    return f"/api/v1/care/patients/{patient.pk}/" + read.format(workout=workout.pk)


@pytest.mark.parametrize(("read", "category"), READS)
def test_with_a_live_grant_the_clinician_reads_and_the_read_is_logged_once(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
    read: str,
    category: str,
) -> None:
    workout = _workout(patient)
    make_grant(relationship=relationship, category=category)

    response = client_for(clinician.user).get(_path(patient, read, workout))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.subject_id, entry.accessor_id) == (patient.pk, clinician.user_id)
    assert (entry.accessor_name, entry.accessor_role) == ("Dr. Okafor", "clinician")


@pytest.mark.parametrize(("read", "category"), READS)
@pytest.mark.parametrize(
    "situation",
    [
        "no grant",
        "expired",
        "not started",
        "revoked",
        "other category",
        "unverified",
        "no second factor (token)",
        "relationship ended",
        "another patient",
    ],
)
def test_otherwise_every_read_is_not_found_and_nothing_is_logged(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
    read: str,
    category: str,
    situation: str,
) -> None:
    workout = _workout(patient)
    now = timezone.now()
    reader: Callable[[], APIClient] = lambda: client_for(clinician.user)  # noqa: E731
    subject = patient
    if situation == "expired":
        make_grant(
            relationship=relationship, category=category, starts_at=now - dt.timedelta(days=91)
        )
    elif situation == "not started":
        make_grant(
            relationship=relationship, category=category, starts_at=now + dt.timedelta(hours=1)
        )
    elif situation == "revoked":
        grant = make_grant(relationship=relationship, category=category)
        grant.revoked_at = now
        grant.save()
    elif situation == "other category":
        for other in GrantCategory.values:
            if other != category:
                make_grant(relationship=relationship, category=other)
    elif situation == "unverified":
        make_grant(relationship=relationship, category=category)
        clinician.verified_at = None
        clinician.save()
    elif situation == "no second factor (token)":
        make_grant(relationship=relationship, category=category)
        _, secret = access_token_create(user=clinician.user, name="script", scope=TokenScope.API)

        def reader() -> APIClient:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
            return client
    elif situation == "relationship ended":
        make_grant(relationship=relationship, category=category)
        relationship.status = "ended"
        relationship.save()
    elif situation == "another patient":
        make_grant(relationship=relationship, category=category)
        subject = UserFactory.create(consented=True)
        workout = _workout(subject)

    response = reader().get(_path(subject, read, workout))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not AccessLogEntry.objects.exists()


def test_the_workout_list_has_scores_and_is_logged_once_per_request_with_its_period(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    workouts = [_workout(patient, day) for day in (2, 14, 28)]
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)

    body = client_for(clinician.user).get(f"/api/v1/care/patients/{patient.pk}/workouts/").json()

    assert body["count"] == 3
    assert [w["id"] for w in body["results"]] == [w.pk for w in reversed(workouts)]
    assert body["results"][0]["score"] == {"status": "scored", "points": 120, "training_load": 55.5}
    assert list(AccessLogEntry.objects.values_list("what", flat=True)) == ["workouts of March 2026"]


def test_a_workout_comes_with_its_samples(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    workout = _workout(patient)
    workout_samples_store(
        user=patient,
        workout_id=workout.pk,
        device="strap",
        seq=1,
        samples=[{"t": T0, "hr": 100}, {"t": T0 + 1, "hr": 104, "rr": [577.0]}],
    )
    make_grant(relationship=relationship, category=GrantCategory.SAMPLES)

    body = (
        client_for(clinician.user)
        .get(f"/api/v1/care/patients/{patient.pk}/workouts/{workout.pk}/")
        .json()
    )

    assert body["workout"]["id"] == workout.pk
    assert body["samples"] == [{"t": T0, "hr": 100.0}, {"t": T0 + 1, "hr": 104.0, "rr": [577.0]}]
    assert AccessLogEntry.objects.get().what == "the samples of the workout of 14 March 2026"


def test_hrv_class_metrics_and_physiology_show_the_patients_values(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
    instructor: Instructor,
) -> None:
    with_rr, without_rr = _workout(patient, 3), _workout(patient, 4, rmssd=None)
    fitness_class = FitnessClassFactory.create(instructor=instructor)
    Attendance.objects.create(
        user=patient,
        fitness_class=fitness_class,
        status=AttendanceStatus.COMPLETED,
        metrics={"relaxation": "relaxed"},
        completed_at=timezone.now(),
    )
    profile_update(user=patient, changes={"resting_heart_rate": 52, "max_heart_rate": 184})
    for category in (GrantCategory.HRV, GrantCategory.CLASS_METRICS, GrantCategory.PHYSIOLOGY):
        make_grant(relationship=relationship, category=category)
    reader = client_for(clinician.user)
    base = f"/api/v1/care/patients/{patient.pk}/"

    hrv = reader.get(f"{base}hrv/").json()
    metrics = reader.get(f"{base}class-metrics/").json()
    physiology = reader.get(f"{base}physiology/").json()

    assert [(h["workout_id"], h["rmssd_ms"], h["sdnn_ms"]) for h in hrv] == [
        (with_rr.pk, 42.0, 51.0)
    ]
    assert without_rr.pk not in [h["workout_id"] for h in hrv]
    assert [(m["class_title"], m["metrics"]) for m in metrics] == [
        (fitness_class.title, {"relaxation": "relaxed"})
    ]
    assert (physiology["resting_heart_rate"], physiology["max_heart_rate"]) == (52, 184)
    assert AccessLogEntry.objects.count() == 3


def test_after_revoking_the_next_read_is_not_found(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    grant = make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)
    reader = client_for(clinician.user)
    path = f"/api/v1/care/patients/{patient.pk}/workouts/"
    assert reader.get(path).status_code == 200

    assert client_for(patient).delete(f"/api/v1/care/grants/{grant.pk}/").status_code == 200

    assert reader.get(path).status_code == 404
    assert AccessLogEntry.objects.count() == 1


def test_after_withdrawing_consent_the_next_read_is_not_found(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.PHYSIOLOGY)
    reader = client_for(clinician.user)
    path = f"/api/v1/care/patients/{patient.pk}/physiology/"
    assert reader.get(path).status_code == 200

    client_for(patient).post("/api/v1/consent/health-data/", {"granted": False})

    assert reader.get(path).status_code == 404


def test_the_patient_sees_the_clinicians_reads_in_their_access_log(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    _workout(patient)
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)
    client_for(clinician.user).get(f"/api/v1/care/patients/{patient.pk}/workouts/")

    log = client_for(patient).get("/api/v1/me/access-log/").json()
    clinicians_own = client_for(clinician.user).get("/api/v1/me/access-log/").json()

    assert [(e["accessor"], e["accessor_role"], e["what"]) for e in log["results"]] == [
        ("Dr. Okafor", "clinician", "workouts of March 2026")
    ]
    assert clinicians_own["count"] == 0


def test_the_dashboard_lists_patients_with_their_live_categories(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)
    make_grant(
        relationship=relationship,
        category=GrantCategory.HRV,
        starts_at=timezone.now() - dt.timedelta(days=100),
    )
    make_relationship(patient=UserFactory.create(), clinician=make_clinician(name="Dr. Other"))

    body = client_for(clinician.user).get("/api/v1/care/patients/").json()

    assert [(p["patient_id"], p["live_categories"]) for p in body] == [(patient.pk, ["workouts"])]
    assert not AccessLogEntry.objects.exists()


def test_the_expiry_job_acts_only_on_a_grant_that_has_expired(
    patient: User, relationship: CareRelationship
) -> None:
    live = make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)
    expired = make_grant(
        relationship=relationship,
        category=GrantCategory.HRV,
        starts_at=timezone.now() - dt.timedelta(days=2),
        days=1,
    )

    assert services.sharing_grant_expire(grant_id=live.pk) is False
    assert services.sharing_grant_expire(grant_id=expired.pk) is True


@pytest.mark.postgresql
def test_on_postgresql_the_read_is_logged_under_the_professional_name(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    _workout(patient)
    make_grant(relationship=relationship, category=GrantCategory.WORKOUTS)

    response = client_for(clinician.user).get(f"/api/v1/care/patients/{patient.pk}/workouts/")

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.accessor_name, entry.what) == ("Dr. Okafor", "workouts of March 2026")
