"""The scoring lifecycle in the embedded default (eager tasks): finish, score, store, award, hand off."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from challenges import services as challenge_services
from challenges.models import ActivityTotals, AppliedWorkout, Contribution, ContributionStatus
from tests.factories import UserFactory, WorkoutFactory
from tests.helpers import ClientFor
from tests.wellness.scoring.helpers import START, T0, import_workout, steady_run
from wellness.people.erasure import health_data_erase
from wellness.people.models import User
from wellness.people.selectors import user_export
from wellness.people.services import consent_grant, consent_withdraw, profile_update
from wellness.scoring import engine, levels, results, rules
from wellness.scoring.models import Progress, ScoreStatus, ScoringPending, StoredScore
from wellness.scoring.pipeline import workouts_score
from wellness.scoring.selectors import progress_of, workout_score_view
from wellness.workouts.selectors import workout_frame, workout_rr
from wellness.workouts.services import workout_finish, workout_samples_store, workout_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def athlete(consenting_user: User) -> User:
    """A consenting person whose profile lets every formula run."""
    profile_update(
        user=consenting_user,
        changes={"birth_year": 1988, "sex": "female", "weight_kg": 62, "resting_heart_rate": 52},
    )
    return consenting_user


def xp(user: User) -> int:
    return Progress.objects.get(user=user).xp


def test_an_imported_workout_is_scored_after_commit_and_its_points_become_xp(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, steady_run())

    stored = StoredScore.objects.get(workout=workout)
    assert stored.status == ScoreStatus.SCORED
    assert stored.points > 0
    assert stored.counts_for_leaderboards is True
    assert stored.metrics["distance_m"] == pytest.approx(3.0 * (30 * 60 - 1))
    assert xp(consenting_user) == stored.points
    assert Progress.objects.get(user=consenting_user).level == levels.level_for_xp(stored.points)
    assert not ScoringPending.objects.exists()
    # The hand-off reached challenges exactly once.
    assert AppliedWorkout.objects.filter(workout_id=workout.pk).count() == 1
    assert ActivityTotals.objects.get(user=consenting_user).workouts == 1


def test_nothing_is_scored_before_the_transaction_commits(consenting_user: User) -> None:
    # Without running on-commit callbacks (the test transaction never commits) nothing is scored.
    workout = import_workout(consenting_user, steady_run())

    assert ScoringPending.objects.filter(workout=workout).exists()
    assert not StoredScore.objects.filter(workout=workout).exists()


def test_finishing_a_live_workout_queues_and_scores_it(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    workout = workout_start(user=consenting_user, sport="run", indoor=False, started_at=START)
    workout_samples_store(
        user=consenting_user, workout_id=workout.pk, device="strap", seq=1, samples=steady_run(10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        workout_finish(workout_id=workout.pk, ended_at=START + dt.timedelta(minutes=10))

    assert StoredScore.objects.get(workout=workout).status == ScoreStatus.SCORED


def test_scoring_twice_gives_the_same_score_and_awards_nothing_twice(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, steady_run())
    first = StoredScore.objects.get(workout=workout)
    xp_once = xp(consenting_user)

    workouts_score(workout_ids=[workout.pk])
    workouts_score(workout_ids=[workout.pk])

    again = StoredScore.objects.get(workout=workout)
    assert (again.points, again.metrics, again.flags) == (first.points, first.metrics, first.flags)
    assert xp(consenting_user) == xp_once == first.points
    assert ActivityTotals.objects.get(user=consenting_user).workouts == 1


def test_rescoring_after_a_profile_change_replaces_the_contribution_instead_of_adding(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, steady_run())
    profile_update(user=consenting_user, changes={"birth_year": 1970, "weight_kg": 90})

    workouts_score(workout_ids=[workout.pk])

    new_points = StoredScore.objects.get(workout=workout).points
    assert xp(consenting_user) == new_points


@pytest.mark.parametrize(
    ("samples", "expected_status"),
    [
        ([], ScoreStatus.SCORED),  # a run without samples: scored from its duration (MET)
        ([{"t": T0, "hr": 140.0}], ScoreStatus.SCORED),
        ([{"t": T0 + i, "hr": 0.0, "speed": 0.0} for i in range(600)], ScoreStatus.SCORED),
        ([{"t": T0 + i} for i in range(600)], ScoreStatus.SCORED),
    ],
    ids=["empty", "one_sample", "only_zeros", "no_values"],
)
def test_bad_data_is_stored_with_a_score_or_a_reason_never_a_crash(
    consenting_user: User,
    django_capture_on_commit_callbacks: Any,
    samples: list[dict[str, Any]],
    expected_status: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, samples, minutes=10)

    stored = StoredScore.objects.get(workout=workout)
    assert stored.status == expected_status
    assert all(
        value is None or not isinstance(value, float) or math.isfinite(value)
        for value in stored.metrics.values()
    )
    view = workout_score_view(user=consenting_user, workout_id=workout.pk)
    assert set(view["explanations"]) >= {"training_load", "points"}


def test_a_workout_that_cannot_be_scored_is_stored_as_unscorable_with_its_reason(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    # A row from before a sport was dropped from the list: the formulas have nothing for it.
    workout = WorkoutFactory.create(
        user=consenting_user,
        sport="swim",
        status="finished",
        ended_at=START + dt.timedelta(minutes=30),
    )

    workouts_score(workout_ids=[workout.pk])

    stored = StoredScore.objects.get(workout=workout)
    assert stored.status == ScoreStatus.UNSCORABLE
    assert (stored.reason_code, stored.reason) == (
        "sport",
        "Unknown sport 'swim'; one of run, ride, walk, yoga, other, rehab.",
    )
    assert (stored.points, Progress.objects.filter(user=consenting_user).exists()) == (0, False)
    assert not AppliedWorkout.objects.filter(workout_id=workout.pk).exists()


def test_score_endpoint_shows_every_metric_with_its_explanation_flags_and_points(
    athlete: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(athlete, steady_run())

    response = client_for(athlete).get(f"/api/v1/workouts/{workout.pk}/score/")

    assert response.status_code == 200
    body = response.json()
    stored = StoredScore.objects.get(workout=workout)
    assert (body["status"], body["points"], body["flags"]) == ("scored", stored.points, [])
    for metric in ("trimp_banister", "trimp_edwards", "training_load", "energy_kcal", "hr_avg"):
        assert metric in body["metrics"]
    assert stored.metrics["training_load"] > 0
    # The explanations read from the stored numbers equal those of scoring the workout afresh.
    fresh = engine.score_workout(
        workout_frame(workout=workout),
        workout_rr(workout=workout),
        results.Athlete(
            age=timezone.now().year - 1988, sex="female", weight_kg=62.0, resting_hr=52.0
        ),
        "run",
        elapsed_s=30 * 60.0,
    )
    assert body["explanations"] == fresh.explain()
    assert len(body["explanations"]) >= 15


def test_score_endpoint_says_pending_before_scoring(consenting_user: User, client_for: Any) -> None:
    workout = import_workout(consenting_user, steady_run())

    response = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/score/")

    assert (response.status_code, response.json()) == (
        200,
        {"workout_id": workout.pk, "status": "pending"},
    )


def test_another_users_workout_score_is_not_found(
    consenting_user: User,
    other_user: User,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, steady_run())

    response = client_for(other_user).get(f"/api/v1/workouts/{workout.pk}/score/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_progress_endpoint_shows_my_xp_and_level_only(
    consenting_user: User,
    other_user: User,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        import_workout(consenting_user, steady_run())
    points = StoredScore.objects.get().points

    mine = client_for(consenting_user).get("/api/v1/me/progress/").json()
    theirs = client_for(other_user).get("/api/v1/me/progress/").json()

    level = levels.level_for_xp(points)
    assert mine == {
        "xp": points,
        "level": level,
        "level_xp": levels.xp_for_level(level),
        "next_level_xp": levels.xp_for_level(level + 1),
    }
    assert theirs["xp"] == 0


def test_performance_endpoint_returns_fitness_fatigue_and_form_per_day(
    consenting_user: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        import_workout(consenting_user, steady_run())
    load = StoredScore.objects.get().training_load

    body = client_for(consenting_user).get("/api/v1/me/performance/?days=400").json()

    day = body["dates"].index("2026-11-20")
    assert body["load"][day] == round(load, 1)
    assert body["fitness"][day] == round(load / rules.CTL_DAYS, 1)
    assert body["fatigue"][day] == round(load / rules.ATL_DAYS, 1)
    assert body["form"][day] == 0.0
    assert len(body["dates"]) == 400


def test_performance_endpoint_rejects_a_bad_window(consenting_user: User, client_for: Any) -> None:
    response = client_for(consenting_user).get("/api/v1/me/performance/?days=0")

    assert response.status_code == 400
    assert "days" in response.json()["error"]["fields"]


def test_accepting_a_flagged_workout_counts_it_in_that_challenge_and_leaves_its_score_flagged(
    consenting_user: User, other_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    c = challenge_services.challenge_create(
        user=consenting_user,
        title="November kilometres",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        goal_type="distance",
    )
    challenge_services.challenge_join(user=other_user, challenge_id=c.pk)
    consent_grant(user=other_user)
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(other_user, steady_run(speed=20.0))  # no runner holds 72 km/h
    stored = StoredScore.objects.get(workout=workout)
    assert (stored.counts_for_leaderboards, stored.flags != []) == (False, True)
    pending = Contribution.objects.get(workout_id=workout.pk)

    challenge_services.contribution_review(
        user=consenting_user, challenge_id=c.pk, contribution_id=pending.pk, accept=True
    )

    stored.refresh_from_db()
    assert stored.counts_for_leaderboards is False  # acceptance is the challenge's, not global
    accepted = Contribution.objects.get(workout_id=workout.pk)
    assert (accepted.status, accepted.reviewed_by) == (ContributionStatus.COUNTED, consenting_user)
    assert accepted.reviewed_at is not None
    assert xp(other_user) == stored.points


def test_rescore_command_rescores_one_persons_workouts_with_a_progress_bar(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory.create(consented=True)
    mine = import_workout(consenting_user, steady_run())
    theirs = import_workout(other, steady_run())
    err = io.StringIO()

    out = io.StringIO()
    call_command(
        "rescore", "--user", consenting_user.email, "--since", "2026-11-01", stdout=out, stderr=err
    )

    assert "Re-scored 1 workout(s)." in out.getvalue()
    assert "1/1" in err.getvalue()
    assert StoredScore.objects.filter(workout=mine).exists()
    assert not StoredScore.objects.filter(workout=theirs).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last tuesday"], "is not a date"),
        (["--user", "nobody@example.test"], "No account has the email address"),
    ],
)
def test_rescore_command_refuses_bad_arguments_with_exit_code_2(
    consenting_user: User, args: list[str], message: str
) -> None:
    import_workout(consenting_user, steady_run())

    with pytest.raises(CommandError, match=message) as raised:
        call_command("rescore", *args)

    assert raised.value.returncode == 2
    assert not StoredScore.objects.exists()


def test_health_data_erasure_erases_my_scores_and_xp_and_leaves_another_users(
    athlete: User, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory.create(consented=True)
    with django_capture_on_commit_callbacks(execute=True):
        import_workout(athlete, steady_run())
        kept = import_workout(other, steady_run())
    kept_score = StoredScore.objects.get(workout=kept)

    health_data_erase(user_id=athlete.pk)
    health_data_erase(user_id=athlete.pk)  # idempotent

    assert list(StoredScore.objects.all()) == [kept_score]
    assert not Progress.objects.filter(user=athlete).exists()
    assert xp(other) == kept_score.points
    assert progress_of(user=athlete)["xp"] == 0


def test_export_contains_my_scores_and_progress_and_none_of_another_users(
    athlete: User, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory.create(consented=True)
    with django_capture_on_commit_callbacks(execute=True):
        mine = import_workout(athlete, steady_run())
        import_workout(other, steady_run())
    stored = StoredScore.objects.get(workout=mine)

    exported = user_export(user=athlete)["scoring"]

    assert exported["progress"]["xp"] == stored.points == xp(athlete)
    assert [s["workout_id"] for s in exported["scores"]] == [mine.pk]
    assert exported["scores"][0]["points"] == stored.points
    assert exported["scores"][0]["metrics"]["distance_m"] == stored.metrics["distance_m"]
    assert user_export(user=UserFactory.create())["scoring"]["scores"] == []


def test_a_workout_finished_after_consent_is_withdrawn_is_stored_unscored_with_no_xp(
    client_for: ClientFor, consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(consenting_user)
    workout = workout_start(user=consenting_user, sport="run", indoor=False, started_at=START)
    workout_samples_store(
        user=consenting_user, workout_id=workout.pk, device="strap", seq=1, samples=steady_run(10)
    )
    withdrawn = client.post("/api/v1/consent/health-data/", {"granted": False}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        finished = client.post(
            f"/api/v1/workouts/{workout.pk}/finish/",
            {"ended_at": (START + dt.timedelta(minutes=10)).isoformat()},
            format="json",
        )

    assert withdrawn.status_code == 200
    assert finished.status_code == 200
    assert finished.json()["status"] == "finished"
    assert not StoredScore.objects.filter(workout=workout).exists()
    assert not Progress.objects.filter(user=consenting_user, xp__gt=0).exists()
    assert not AppliedWorkout.objects.filter(workout_id=workout.pk).exists()
    assert not ScoringPending.objects.exists()


def test_a_rescore_after_consent_is_withdrawn_changes_nothing(
    consenting_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, steady_run())
    before = StoredScore.objects.get(workout=workout)
    xp_before = xp(consenting_user)
    consent_withdraw(user=consenting_user)

    workouts_score(workout_ids=[workout.pk])

    after = StoredScore.objects.get(workout=workout)
    assert (after.points, after.scored_at) == (before.points, before.scored_at)
    assert xp(consenting_user) == xp_before


def test_an_organizer_cannot_accept_their_own_flagged_workout(
    consenting_user: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    c = challenge_services.challenge_create(
        user=consenting_user,
        title="November kilometres",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        goal_type="distance",
    )
    challenge_services.challenge_join(user=consenting_user, challenge_id=c.pk)
    with django_capture_on_commit_callbacks(execute=True):
        workout = import_workout(consenting_user, steady_run(speed=20.0))
    pending = Contribution.objects.get(workout_id=workout.pk)

    response = client_for(consenting_user).post(
        f"/api/v1/challenges/{c.pk}/pending/{pending.pk}/accept/"
    )

    assert response.status_code == 403
    assert Contribution.objects.get(pk=pending.pk).status == ContributionStatus.PENDING
    assert Contribution.objects.get(pk=pending.pk).reviewed_by is None
    assert StoredScore.objects.get(workout=workout).counts_for_leaderboards is False
