"""Classes taken end to end: the workout they leave is scored by the normal pipeline and counts
for challenges, streaks, badges and journeys; the class metrics appear in its score explanation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from challenges import services as challenge_services
from challenges.models import (
    AppliedWorkout,
    BadgeAward,
    Contribution,
    ContributionStatus,
    Participant,
    Streak,
    StreakKind,
)
from tests.factories import UserFactory
from tests.wellness.classes.factories import FitnessClassFactory
from tests.worlds.factories import WorldFactory
from wellness.classes import services
from wellness.classes.models import Attendance, ClassOccurrence, FitnessClass, Instructor
from wellness.core import privacy
from wellness.people.erasure import health_data_erase
from wellness.people.models import User
from wellness.people.services import profile_update
from wellness.scoring.models import ScoreStatus, StoredScore
from wellness.workouts.models import Workout, WorkoutStatus
from wellness.workouts.services import workout_samples_store
from worlds import services as world_services
from worlds.models import JourneyAdvance

pytestmark = pytest.mark.django_db

# Six hours ago, to the second: the sessions are driven with explicit times from here, all of
# them already past (a workout may not start in the future).
T0 = timezone.now().replace(microsecond=0) - dt.timedelta(hours=6)
CLASS_S = 660  # the test classes' segments: 120 + 240 + 300 seconds


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def athlete(db: None) -> User:
    """A consenting participant whose maximum heart rate is 190: zone 1 is 95-113 bpm, zone 2
    114-132 bpm."""
    person = UserFactory.create(consented=True)
    profile_update(
        user=person, changes={"birth_year": 1990, "weight_kg": 60, "max_heart_rate": 190}
    )
    return person


def mindful_challenge(organizer: User, *participants: User) -> int:
    challenge = challenge_services.challenge_create(
        user=organizer,
        title="Mindful December",
        starts_on=T0.date() - dt.timedelta(days=3),
        ends_on=T0.date() + dt.timedelta(days=1),
        goal_type="mindful_minutes",
    )
    for person in participants:
        challenge_services.challenge_join(user=person, challenge_id=challenge.pk)
    return challenge.pk


def accept_strapless(client_for: Any, organizer: User, challenge_id: int, person: User) -> None:
    """A class taken without a strap is held back as ``no_samples`` (issue 19): the challenge's
    organizer accepts it through the API."""
    pending = Contribution.objects.get(
        participant__challenge_id=challenge_id, participant__user=person
    )
    assert (pending.status, pending.flags) == (ContributionStatus.PENDING, ["no_samples"])
    assert Participant.objects.get(challenge_id=challenge_id, user=person).progress == 0
    accepted = client_for(organizer).post(
        f"/api/v1/challenges/{challenge_id}/pending/{pending.pk}/accept/"
    )
    assert accepted.status_code == 204


def strap_samples(start: float, end: float) -> list[dict[str, Any]]:
    """A chest strap at 1 Hz: calm in the first segment (100 bpm), lower while breathing (90),
    zone 2 in the flow (120); one beat a second whose variation triples (RMSSD 20 -> 60 ms)."""
    samples = []
    for i in range(int(end - start) + 1):
        t = start + i
        hr = 100.0 if t < T0.timestamp() + 120 else 90.0 if t < T0.timestamp() + 360 else 120.0
        swing = 10.0 if i < (end - start) / 2 else 30.0
        samples.append({"t": t, "hr": hr, "rr": [1000.0 + (swing if i % 2 else -swing)]})
    return samples


def workout_of(attendance: Attendance) -> Workout:
    assert attendance.workout_id is not None, "no workout was recorded"
    return Workout.objects.get(pk=attendance.workout_id)


def take_on_demand(
    person: User, fitness_class: FitnessClass, *, start: dt.datetime, end: dt.datetime
) -> Attendance:
    """Start an on-demand class at ``start`` and complete it at ``end``."""
    attendance = services.attendance_start_on_demand(
        user=person, class_id=fitness_class.pk, now=start
    )
    return services.attendance_complete(user=person, attendance_id=attendance.pk, now=end)


def drive_live_class(
    instructor: Instructor, occurrence: ClassOccurrence, participants: list[User], *, strap: bool
) -> dict[int, Attendance]:
    """The instructor runs the whole class; each participant joins five seconds in. Ending it
    completes their attendances after the commit."""
    control = services.session_control
    control(user=instructor.user, occurrence_id=occurrence.pk, action="start", now=at(0))
    attendances = {}
    for person in participants:
        attendance = services.attendance_start_live(
            user=person, occurrence_id=occurrence.pk, now=at(5)
        )
        if strap:
            assert attendance.workout_id is not None
            workout_samples_store(
                user=person,
                workout_id=attendance.workout_id,
                device="strap",
                seq=1,
                samples=strap_samples(at(5).timestamp(), at(CLASS_S).timestamp()),
            )
        attendances[person.pk] = attendance
    control(user=instructor.user, occurrence_id=occurrence.pk, action="next", now=at(120))
    control(user=instructor.user, occurrence_id=occurrence.pk, action="next", now=at(360))
    control(user=instructor.user, occurrence_id=occurrence.pk, action="end", now=at(CLASS_S))
    return attendances


def test_a_live_class_with_a_strap_raises_mindful_minutes_streak_and_badge(
    client_for: Any,
    instructor: Instructor,
    occurrence: ClassOccurrence,
    athlete: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    challenge_id = mindful_challenge(instructor.user, athlete)
    services.booking_create(user=athlete, occurrence_id=occurrence.pk)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = drive_live_class(instructor, occurrence, [athlete], strap=True)[athlete.pk]

    attendance.refresh_from_db()
    # The attendance completed at the session's end, and so did its workout.
    assert (attendance.status, attendance.completed_at) == ("completed", at(CLASS_S))
    workout = workout_of(attendance)
    assert (workout.sport, workout.source, workout.status) == ("yoga", "class", "finished")
    assert (workout.started_at, workout.ended_at) == (at(5), at(CLASS_S))
    # Scored by the normal pipeline: 655 s of samples are 655 / 60 mindful minutes.
    score = StoredScore.objects.get(workout=workout)
    assert score.status == ScoreStatus.SCORED
    assert score.metrics["mindful_minutes"] == pytest.approx(655 / 60)
    assert score.metrics["energy_method"] != "met"  # heart rate, age and weight were known
    # Handed to challenges: mindful-minutes progress (seconds), the yoga streak, the first badge.
    participant = Participant.objects.get(challenge_id=challenge_id, user=athlete)
    assert participant.progress == 655
    assert Streak.objects.get(user=athlete, kind=StreakKind.YOGA_DAILY).current == 1
    assert list(BadgeAward.objects.filter(user=athlete).values_list("badge", "tier")) == [
        ("first_workout", 1)
    ]
    # The class metrics, over the segments as the instructor ran them.
    metrics = attendance.metrics
    assert [(s["attended_s"], s["in_zone_s"]) for s in metrics["segments"]] == [
        (115.0, 115.0),
        (240.0, None),
        (300.0, 300.0),
    ]
    assert (metrics["hrv_start_rmssd_ms"], metrics["hrv_end_rmssd_ms"]) == (20.0, 60.0)
    assert metrics["relaxation"] == "relaxed"

    # They are part of the workout's score explanation.
    body = client_for(athlete).get(f"/api/v1/workouts/{workout.pk}/score/").json()
    assert body["status"] == "scored"
    assert body["class"]["title"] == "Morning flow"
    assert body["class"]["metrics"]["relaxation"] == "relaxed"
    explanations = body["explanations"]
    assert "mindful_minutes" in explanations  # the pipeline's own sentences stay
    assert explanations["class_time_in_zone"].startswith(
        "Time in each segment's intended zone: Arrive (zone 1): 1:55 of 1:55 in zone; "
        "Sun salutations (zone 2): 5:00 of 5:00 in zone."
    )
    assert explanations["class_hrv"] == (
        "HRV (RMSSD) over the first 2 minutes of beats: 20.0 ms; over the last 2 minutes: "
        "60.0 ms (beats outside 300-2000 ms or more than 20% from the median of the two beats "
        "before and after are left out, and at least 10 clean pairs are needed)."
    )
    assert explanations["class_relaxation"].startswith("Relaxed: ln(end / start RMSSD) = +1.10")


def test_without_a_strap_an_on_demand_class_still_gives_its_minutes(
    client_for: Any,
    instructor: Instructor,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    challenge_id = mindful_challenge(instructor.user, consenting_user)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = take_on_demand(consenting_user, breathing, start=at(0), end=at(CLASS_S))

    score = StoredScore.objects.get(workout=workout_of(attendance))
    # No samples: the class's length at the sport's typical effort (MET fallback energy).
    assert score.metrics["mindful_minutes"] == pytest.approx(11.0)
    assert score.metrics["energy_method"] == "met"
    assert score.points > 0
    accept_strapless(client_for, instructor.user, challenge_id, consenting_user)
    assert Participant.objects.get(challenge_id=challenge_id).progress == 660
    assert Streak.objects.get(user=consenting_user, kind=StreakKind.YOGA_DAILY).current == 1
    body = client_for(consenting_user).get(f"/api/v1/workouts/{attendance.workout_id}/score/")
    assert body.json()["explanations"]["class_time_in_zone"].startswith(
        "No heart rate was recorded during the class"
    )


def hiit_class(instructor: Instructor) -> FitnessClass:
    """An on-demand HIIT class with the test segments: 120 s arrive, 240 s box breathing, 300 s
    flow."""
    return FitnessClassFactory.create(
        instructor=instructor, on_demand=True, title="Sprint and breathe", kind="hiit"
    )


def test_a_hiit_class_counts_only_its_breathing_segment_as_mindful_minutes(
    client_for: Any,
    instructor: Instructor,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hiit = hiit_class(instructor)
    challenge_id = mindful_challenge(instructor.user, consenting_user)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = take_on_demand(consenting_user, hiit, start=at(0), end=at(CLASS_S))

    assert attendance.metrics["mindful_s"] == 240.0
    workout = workout_of(attendance)
    assert workout.sport == "other"
    score = StoredScore.objects.get(workout=workout)
    # The breathing segment alone, in the stored score and in the challenge's progress.
    assert score.metrics["mindful_minutes"] == pytest.approx(4.0)
    accept_strapless(client_for, instructor.user, challenge_id, consenting_user)
    assert Participant.objects.get(challenge_id=challenge_id).progress == 240
    body = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/score/").json()
    assert body["explanations"]["mindful_minutes"] == (
        "4 min of breathing practice in the class (its segments with a breathing pattern)."
    )


def test_leaving_a_hiit_class_before_its_breathing_gives_no_mindful_minutes(
    instructor: Instructor,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hiit = hiit_class(instructor)
    challenge_id = mindful_challenge(instructor.user, consenting_user)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = take_on_demand(consenting_user, hiit, start=at(0), end=at(100))

    assert attendance.metrics["mindful_s"] == 0.0
    score = StoredScore.objects.get(workout=workout_of(attendance))
    assert score.metrics["mindful_minutes"] == 0.0
    assert Participant.objects.get(challenge_id=challenge_id).progress == 0


def test_an_on_demand_class_with_a_strap_measures_zones_over_the_plan(
    instructor: Instructor, athlete: User, django_capture_on_commit_callbacks: Any
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    attendance = services.attendance_start_on_demand(user=athlete, class_id=breathing.pk, now=at(0))
    workout_samples_store(
        user=athlete,
        workout_id=workout_of(attendance).pk,
        device="strap",
        seq=1,
        samples=strap_samples(at(0).timestamp(), at(CLASS_S).timestamp()),
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = services.attendance_complete(
            user=athlete, attendance_id=attendance.pk, now=at(CLASS_S)
        )

    assert [s["in_zone_s"] for s in done.metrics["segments"]] == [120.0, None, 300.0]
    assert done.metrics["relaxation"] == "relaxed"
    score = StoredScore.objects.get(workout=workout_of(attendance))
    assert score.metrics["mindful_minutes"] == pytest.approx(11.0)
    assert score.metrics["hr_avg"] is not None


def test_a_person_who_attended_no_class_gets_nothing(
    client_for: Any,
    instructor: Instructor,
    occurrence: ClassOccurrence,
    athlete: User,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Booked, but never joined the session, while someone else took the class."""
    challenge_id = mindful_challenge(instructor.user, athlete, consenting_user)
    services.booking_create(user=athlete, occurrence_id=occurrence.pk)
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)

    with django_capture_on_commit_callbacks(execute=True):
        drive_live_class(instructor, occurrence, [consenting_user], strap=False)

    assert not Attendance.objects.filter(user=athlete).exists()
    assert not Workout.objects.filter(user=athlete).exists()
    assert not AppliedWorkout.objects.filter(user=athlete).exists()
    assert not Contribution.objects.filter(participant__user=athlete).exists()
    assert not Streak.objects.filter(user=athlete).exists()
    assert not BadgeAward.objects.filter(user=athlete).exists()
    assert Participant.objects.get(challenge_id=challenge_id, user=athlete).progress == 0
    # The one who took it did get it (without a strap: once the organizer accepts it).
    accept_strapless(client_for, instructor.user, challenge_id, consenting_user)
    assert Participant.objects.get(challenge_id=challenge_id, user=consenting_user).progress > 0


def test_three_days_of_classes_earn_the_yoga_streak_badge(
    instructor: Instructor, consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    first_day = T0 - dt.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        for day in range(3):
            start = first_day + dt.timedelta(days=day)
            take_on_demand(
                consenting_user, breathing, start=start, end=start + dt.timedelta(seconds=CLASS_S)
            )

    streak = Streak.objects.get(user=consenting_user, kind=StreakKind.YOGA_DAILY)
    assert (streak.current, streak.longest) == (3, 3)
    assert BadgeAward.objects.filter(user=consenting_user, badge="yoga_streak", tier=1).exists()


def test_a_class_moves_the_persons_journey(
    instructor: Instructor, consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    journey = world_services.journey_create(
        name="Coast", description="", world_ids=[WorldFactory.create(length_m=5_000).pk]
    )
    world_services.journey_join(user=consenting_user, journey_id=journey.pk)
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = take_on_demand(consenting_user, breathing, start=at(0), end=at(CLASS_S))

    advance = JourneyAdvance.objects.get(workout_id=workout_of(attendance).pk)
    score = StoredScore.objects.get(workout=workout_of(attendance))
    assert advance.distance_m == pytest.approx(score.metrics["effort_distance_m"])
    assert advance.distance_m > 0


def test_without_health_data_consent_the_class_is_kept_but_no_workout_is_recorded(
    instructor: Instructor, user: User, django_capture_on_commit_callbacks: Any
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)

    with django_capture_on_commit_callbacks(execute=True):
        attendance = take_on_demand(user, breathing, start=at(0), end=at(CLASS_S))

    attendance.refresh_from_db()
    assert (attendance.status, attendance.workout_id, attendance.metrics) == (
        "completed",
        None,
        {},
    )
    assert not Workout.objects.exists()
    assert not AppliedWorkout.objects.exists()


def test_completing_twice_scores_and_counts_the_class_once(
    client_for: Any,
    instructor: Instructor,
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    challenge_id = mindful_challenge(instructor.user, consenting_user)
    attendance = services.attendance_start_on_demand(
        user=consenting_user, class_id=breathing.pk, now=at(0)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = services.attendance_complete(
            user=consenting_user, attendance_id=attendance.pk, now=at(CLASS_S)
        )
        again = services.attendance_complete(
            user=consenting_user, attendance_id=attendance.pk, now=at(CLASS_S + 600)
        )

    assert first.completed_at == again.completed_at == at(CLASS_S)
    assert Workout.objects.filter(user=consenting_user).count() == 1
    assert AppliedWorkout.objects.filter(user=consenting_user).count() == 1
    accept_strapless(client_for, instructor.user, challenge_id, consenting_user)
    assert Participant.objects.get(challenge_id=challenge_id).progress == 660


def test_an_on_demand_class_left_open_counts_no_longer_than_its_time_limit(
    instructor: Instructor, consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    attendance = services.attendance_start_on_demand(
        user=consenting_user, class_id=breathing.pk, now=at(0)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_complete(
            user=consenting_user, attendance_id=attendance.pk, now=at(5 * 3600)
        )

    limit = CLASS_S * services.MAX_ATTENDANCE_FACTOR
    workout = workout_of(attendance)
    assert workout.ended_at == at(limit)
    score = StoredScore.objects.get(workout=workout)
    assert score.metrics["mindful_minutes"] == pytest.approx(limit / 60)


def test_starting_again_resumes_the_run_and_a_stale_run_is_closed_at_its_limit(
    instructor: Instructor, consenting_user: User
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)

    first = services.attendance_start_on_demand(
        user=consenting_user, class_id=breathing.pk, now=at(0)
    )
    resumed = services.attendance_start_on_demand(
        user=consenting_user, class_id=breathing.pk, now=at(60)
    )
    later = services.attendance_start_on_demand(
        user=consenting_user, class_id=breathing.pk, now=at(3 * 3600)
    )

    assert resumed.pk == first.pk
    assert later.pk != first.pk
    first.refresh_from_db()
    assert first.status == "completed"
    assert first.completed_at == at(CLASS_S * services.MAX_ATTENDANCE_FACTOR)
    assert workout_of(first).status == WorkoutStatus.FINISHED
    assert workout_of(later).status == WorkoutStatus.ACTIVE


def test_a_player_that_reports_its_pauses_counts_only_the_time_played(
    instructor: Instructor, consenting_user: User
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    attendance = services.attendance_start_on_demand(
        user=consenting_user, class_id=breathing.pk, now=at(0)
    )

    done = services.attendance_complete(
        user=consenting_user, attendance_id=attendance.pk, attended_s=400, now=at(700)
    )

    assert done.completed_at == at(400)
    assert workout_of(attendance).ended_at == at(400)
    # The player ran the plan from the start: 120 s of Arrive, 240 of breathing, 40 of the flow.
    assert [s["attended_s"] for s in done.metrics["segments"]] == [120.0, 240.0, 40.0]


def test_a_paused_live_session_counts_no_segment_time_while_paused(
    instructor: Instructor, occurrence: ClassOccurrence, athlete: User
) -> None:
    services.booking_create(user=athlete, occurrence_id=occurrence.pk)
    control = services.session_control
    control(user=instructor.user, occurrence_id=occurrence.pk, action="start", now=at(0))
    attendance = services.attendance_start_live(
        user=athlete, occurrence_id=occurrence.pk, now=at(0)
    )
    control(user=instructor.user, occurrence_id=occurrence.pk, action="pause", now=at(60))
    control(user=instructor.user, occurrence_id=occurrence.pk, action="resume", now=at(100))

    done = services.attendance_complete(user=athlete, attendance_id=attendance.pk, now=at(150))

    assert [s["attended_s"] for s in done.metrics["segments"]] == [110.0, 0.0, 0.0]


def test_a_session_its_instructor_never_ends_is_ended_once_overdue(
    instructor: Instructor,
    occurrence: ClassOccurrence,
    athlete: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.booking_create(user=athlete, occurrence_id=occurrence.pk)
    control = services.session_control
    # Not committed here, so the overdue check that starting queues does not run on the real clock.
    control(user=instructor.user, occurrence_id=occurrence.pk, action="start", now=at(0))
    attendance = services.attendance_start_live(
        user=athlete, occurrence_id=occurrence.pk, now=at(5)
    )
    occurrence.refresh_from_db()
    assert occurrence.status == "running"
    overdue = CLASS_S * services.MAX_ATTENDANCE_FACTOR  # 990 s after the start

    assert not services.session_end_overdue(occurrence_id=occurrence.pk, now=at(overdue - 1))
    occurrence.refresh_from_db()
    assert occurrence.status == "running"

    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_end_overdue(occurrence_id=occurrence.pk, now=at(overdue + 30))
    occurrence.refresh_from_db()
    assert occurrence.status == "ended"
    assert occurrence.timeline[-1] == {
        "t": at(overdue + 30).timestamp(),
        "segment": 0,
        "status": "ended",
    }
    # The participant's attendance and workout finished at the attendance's limit, and scored.
    attendance.refresh_from_db()
    assert attendance.status == "completed"
    assert attendance.completed_at == at(5 + overdue)
    workout = workout_of(attendance)
    assert (workout.status, workout.ended_at) == ("finished", at(5 + overdue))
    assert StoredScore.objects.get(workout=workout).status == ScoreStatus.SCORED
    # Idempotent: a second check (a retried task) changes nothing.
    revision = occurrence.revision
    assert not services.session_end_overdue(occurrence_id=occurrence.pk, now=at(overdue + 60))
    occurrence.refresh_from_db()
    assert occurrence.revision == revision


def test_the_sweep_ends_every_overdue_session_and_no_other(
    instructor: Instructor, occurrence: ClassOccurrence
) -> None:
    control = services.session_control
    later = FitnessClassFactory.create(instructor=instructor).occurrences.get()
    paused = FitnessClassFactory.create(instructor=instructor).occurrences.get()
    control(user=instructor.user, occurrence_id=occurrence.pk, action="start", now=at(0))
    control(user=instructor.user, occurrence_id=later.pk, action="start", now=at(900))
    control(user=instructor.user, occurrence_id=paused.pk, action="start", now=at(10))
    control(user=instructor.user, occurrence_id=paused.pk, action="pause", now=at(20))
    overdue = CLASS_S * services.MAX_ATTENDANCE_FACTOR

    assert services.sessions_end_overdue(now=at(overdue - 1)) == 0
    assert services.sessions_end_overdue(now=at(overdue + 10)) == 2

    statuses = dict(
        ClassOccurrence.objects.filter(pk__in=(occurrence.pk, later.pk, paused.pk)).values_list(
            "pk", "status"
        )
    )
    assert statuses == {occurrence.pk: "ended", later.pk: "running", paused.pk: "ended"}
    assert services.sessions_end_overdue(now=at(overdue + 20)) == 0
    assert services.sessions_end_overdue(now=at(900 + overdue)) == 1


def test_a_session_never_started_is_not_ended_by_the_overdue_check(
    occurrence: ClassOccurrence,
) -> None:
    assert not services.session_end_overdue(
        occurrence_id=occurrence.pk, now=timezone.now() + dt.timedelta(days=30)
    )
    occurrence.refresh_from_db()
    assert occurrence.status == "scheduled"


def test_the_class_history_shows_each_class_with_its_score_and_metrics(
    client_for: Any,
    instructor: Instructor,
    consenting_user: User,
    other_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    with django_capture_on_commit_callbacks(execute=True):
        for person in (consenting_user, other_user):
            take_on_demand(person, breathing, start=at(0), end=at(600))
        services.attendance_start_on_demand(
            user=consenting_user, class_id=breathing.pk, now=at(900)
        )  # still going: not history yet

    body = client_for(consenting_user).get("/api/v1/classes/history/").json()

    assert body["count"] == 1
    (entry,) = body["results"]
    assert (entry["class_title"], entry["kind"], entry["delivery"]) == (
        "Evening breath",
        "breathing",
        "on_demand",
    )
    assert entry["score"]["status"] == "scored"
    assert entry["score"]["mindful_minutes"] == pytest.approx(10.0)
    assert entry["score"]["points"] == StoredScore.objects.get(workout_id=entry["workout"]).points
    assert entry["class_metrics"]["heart_rate_measured"] is False
    assert set(entry["explanations"]) == {"class_time_in_zone", "class_hrv", "class_relaxation"}


def test_the_class_metrics_are_exported_and_erased_with_the_health_data(
    instructor: Instructor, consenting_user: User
) -> None:
    breathing = FitnessClassFactory.create(instructor=instructor, on_demand=True)
    attendance = take_on_demand(consenting_user, breathing, start=at(0), end=at(600))

    exported = privacy.exporters()["classes"](consenting_user)
    assert exported["attendances"][0]["metrics"]["attended_s"] == 600.0

    health_data_erase(user_id=consenting_user.pk)

    attendance.refresh_from_db()
    assert attendance.metrics == {}
    assert attendance.workout_id is None  # the workouts' eraser deleted the workout
    assert attendance.status == "completed"  # that the class was taken stays, like a booking


def test_a_run_club_class_is_a_run_and_hiit_is_other(instructor: Instructor, athlete: User) -> None:
    run_club = FitnessClassFactory.create(
        instructor=instructor, kind="run_club", title="Park run club"
    )
    occurrence = run_club.occurrences.get()
    services.booking_create(user=athlete, occurrence_id=occurrence.pk)
    services.session_control(
        user=instructor.user, occurrence_id=occurrence.pk, action="start", now=at(0)
    )
    hiit = services.class_create(
        user=instructor.user, title="Tabata", kind="hiit", delivery="on_demand",
        segments=[{"name": "Work", "duration_s": 20, "cue": "Go."}],
    )  # fmt: skip

    run = services.attendance_start_live(user=athlete, occurrence_id=occurrence.pk, now=at(1))
    intervals = services.attendance_start_on_demand(user=athlete, class_id=hiit.pk, now=at(2))

    run_workout = workout_of(run)
    hiit_workout = workout_of(intervals)
    assert (run_workout.sport, run_workout.indoor) == ("run", False)
    assert (hiit_workout.sport, hiit_workout.indoor) == ("other", True)
    assert run_workout.client_id == f"class-{run.pk}"
