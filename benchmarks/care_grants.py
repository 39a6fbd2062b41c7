"""What the grant check and the audit cost a clinician's read, on PostgreSQL.

A verified clinician (second factor passed) lists a patient's 1,000 workouts with their scores
through the whole HTTP stack (``/api/v1/care/patients/<id>/workouts/``, the 10 pages of 100 the
API's page-size cap allows): per request, one query checks the relationship and the live grant and
one insert writes the access-log entry, never per row. The baseline is the owner listing the same
1,000 workouts (``/api/v1/workouts/``, 10 pages). Rounds alternate so machine load hits both
alike; the figure is the difference of the medians, for one page and for all ten.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from benchmarks import Figure, figure, median_seconds

DESCRIPTION = (
    "care_grants: a clinician listing a patient's 1,000 workouts vs the owner (PostgreSQL)"
)
WORKOUTS = 1_000
PAGE = 100  # API_MAX_PAGE_SIZE


def _scenario() -> tuple[Any, Any]:
    """A patient with 1,000 scored workouts and a verified clinician with a live workouts grant."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks._scratch_db import bench_user
    from wellness.care.models import (
        CareRelationship,
        ClinicianProfile,
        GrantCategory,
        SharingGrant,
    )
    from wellness.people.models import Profile
    from wellness.scoring.models import StoredScore
    from wellness.workouts.models import Workout

    stamp = time.time_ns()
    patient: Any = bench_user(f"patient-{stamp}@bench.wellverse.test")
    doctor: Any = bench_user(f"clinician-{stamp}@bench.wellverse.test")
    for person, name in ((patient, "Bench patient"), (doctor, "Bench clinician")):
        Profile.objects.get_or_create(user=person, defaults={"display_name": name})
    start = dt.datetime(2026, 1, 1, 7, tzinfo=dt.UTC)
    workouts = Workout.objects.bulk_create(
        Workout(
            user=patient, sport="run", indoor=False, source="bridge", status="finished",
            started_at=start + dt.timedelta(hours=8 * n),
            ended_at=start + dt.timedelta(hours=8 * n, minutes=40),
        )
        for n in range(WORKOUTS)
    )  # fmt: skip
    StoredScore.objects.bulk_create(
        StoredScore(workout=w, status="scored", points=100, training_load=50.0) for w in workouts
    )
    profile = ClinicianProfile.objects.create(
        user=doctor, profession="doctor", registration_number=f"B{stamp % 10**9}",
        professional_name="Dr. Bench", invite_code=f"B{stamp % 10**15}"[:16],
        verified_at=timezone.now(),
    )  # fmt: skip
    relationship = CareRelationship.objects.create(
        patient=patient, clinician=profile, status="active", started_at=timezone.now()
    )
    now = timezone.now()
    SharingGrant.objects.create(
        relationship=relationship, category=GrantCategory.WORKOUTS,
        starts_at=now - dt.timedelta(minutes=1), expires_at=now + dt.timedelta(days=90),
    )  # fmt: skip
    doctor.otp_device = TOTPDevice.objects.create(user=doctor, name="bench", confirmed=True)
    return patient, doctor


def run(quick: bool) -> list[Figure]:
    from benchmarks._scratch_db import setup_django_on_scratch_database

    setup_django_on_scratch_database()
    from rest_framework.test import APIClient

    from wellness.people.models import AccessLogEntry

    patient, doctor = _scenario()
    owner = APIClient(SERVER_NAME="localhost")
    owner.force_authenticate(user=patient)
    clinician = APIClient(SERVER_NAME="localhost")
    clinician.force_authenticate(user=doctor)
    own_url = f"/api/v1/workouts/?page_size={PAGE}&page="
    care_url = f"/api/v1/care/patients/{patient.pk}/workouts/?page_size={PAGE}&page="

    def listed(client: APIClient, url: str) -> int:
        rows = 0
        for page in range(1, WORKOUTS // PAGE + 1):
            response = client.get(f"{url}{page}")
            assert response.status_code == 200, response.content
            rows += len(response.json()["results"])
        return rows

    logged = AccessLogEntry.objects.filter(subject=patient).count()
    assert listed(owner, own_url) == listed(clinician, care_url) == WORKOUTS
    # One entry per clinician request (a page), none for the owner's.
    assert AccessLogEntry.objects.filter(subject=patient).count() == logged + WORKOUTS // PAGE

    def medians(owner_fn: Any, clinician_fn: Any, rounds: int) -> tuple[float, float]:
        owner_s: list[float] = []
        clinician_s: list[float] = []
        for n in range(rounds):
            # Alternate which goes first, so neither always runs on a warmer cache.
            pair = [(owner_s, owner_fn), (clinician_s, clinician_fn)]
            for samples, fn in pair if n % 2 else reversed(pair):
                samples.append(median_seconds(fn, repeat=3))
        return statistics.median(owner_s) * 1000, statistics.median(clinician_s) * 1000

    page_owner, page_clinician = medians(
        lambda: owner.get(f"{own_url}3"),
        lambda: clinician.get(f"{care_url}3"),
        30 if quick else 200,
    )
    all_owner, all_clinician = medians(
        lambda: listed(owner, own_url), lambda: listed(clinician, care_url), 5 if quick else 40
    )
    return [
        figure(
            "care_grants", "clinician reads a page of 100 workouts (median)", page_clinician, "ms",
            baseline=page_owner, goal="< 5 ms more than the owner", higher_is_better=False,
        ),
        figure(
            "care_grants", "grant check + audit of one request (difference)",
            page_clinician - page_owner, "ms", baseline=None, goal="< 5 ms",
            higher_is_better=False,
        ),
        figure(
            "care_grants", "clinician lists all 1,000 workouts, 10 pages (median)", all_clinician,
            "ms", baseline=all_owner, goal="10 requests: 10 checks and audits",
            higher_is_better=False,
        ),
    ]  # fmt: skip
