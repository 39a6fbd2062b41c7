"""The class catalogue: instructors, publishing, recurring time-zone-aware schedules, browsing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.factories import UserFactory
from tests.wellness.classes.factories import SEGMENTS
from wellness.classes import services
from wellness.classes.models import ClassOccurrence, FitnessClass, Instructor
from wellness.people.models import User

URL = "/api/v1/classes/"


def class_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Evening breath",
        "kind": "breathing",
        "delivery": "on_demand",
        "segments": SEGMENTS,
        "accessibility_notes": "Seated variants for every pose; cue text always on screen.",
    }
    body.update(extra)
    return body


def test_admin_grants_the_instructor_role(client_for: Any, admin: User, user: User) -> None:
    response = client_for(admin).post(f"{URL}instructors/", {"user_id": user.pk}, format="json")

    assert response.status_code == 201
    assert Instructor.objects.filter(user=user).count() == 1


def test_a_non_admin_cannot_grant_the_instructor_role(
    client_for: Any, user: User, other_user: User
) -> None:
    response = client_for(user).post(
        f"{URL}instructors/", {"user_id": other_user.pk}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Instructor.objects.exists()


def test_an_instructor_publishes_an_on_demand_class(
    client_for: Any, instructor: Instructor
) -> None:
    response = client_for(instructor.user).post(URL, class_body(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["duration_seconds"] == 660
    assert body["segments"][1]["breathing"] == {
        "inhale_s": 4.0, "hold_s": 4.0, "exhale_s": 4.0, "hold_out_s": 4.0,
    }  # fmt: skip
    assert not ClassOccurrence.objects.exists()


def test_someone_without_the_role_cannot_publish(client_for: Any, user: User) -> None:
    response = client_for(user).post(URL, class_body(), format="json")

    assert response.status_code == 403
    assert not FitnessClass.objects.exists()


def test_invalid_segments_are_refused_field_by_field_and_nothing_is_stored(
    client_for: Any, instructor: Instructor
) -> None:
    segments = [
        {"name": "", "duration_s": 60, "cue": ""},
        {"name": "Hold", "duration_s": -5, "cue": "", "target_zone": 9},
        {"name": "Breathe", "duration_s": 60, "breathing": {"inhale_s": 0, "exhale_s": 4}},
    ]

    response = client_for(instructor.user).post(URL, class_body(segments=segments), format="json")

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == [
        "segments[0].name",
        "segments[1].duration_s",
        "segments[1].target_zone",
        "segments[2].breathing",
    ]
    assert not FitnessClass.objects.exists()


def test_a_live_class_without_capacity_or_start_is_refused(
    client_for: Any, instructor: Instructor
) -> None:
    response = client_for(instructor.user).post(
        URL, class_body(delivery="live", time_zone="Mars/Olympus"), format="json"
    )

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == [
        "capacity",
        "first_start_local",
        "time_zone",
    ]
    assert not FitnessClass.objects.exists()


def test_a_bad_recurrence_rule_is_refused(client_for: Any, instructor: Instructor) -> None:
    response = client_for(instructor.user).post(
        URL,
        class_body(
            delivery="live",
            capacity=10,
            first_start_local="2030-03-25T07:00:00",
            schedule_rrule="FREQ=SOMETIMES",
        ),
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["schedule_rrule"]
    assert not FitnessClass.objects.exists()


def test_a_weekly_class_keeps_its_local_time_across_daylight_saving(
    instructor: Instructor,
) -> None:
    fitness_class = services.class_create(
        user=instructor.user,
        title="Monday yoga",
        kind="yoga",
        delivery="live",
        segments=SEGMENTS,
        capacity=12,
        time_zone="Europe/Berlin",
        first_start_local=dt.datetime(2030, 3, 18, 7, 0),  # noqa: DTZ001
        schedule_rrule="FREQ=WEEKLY;BYDAY=MO",
    )
    now = dt.datetime(2030, 3, 17, tzinfo=dt.UTC)

    occurrences = services.occurrences_schedule(fitness_class=fitness_class, now=now)

    berlin = ZoneInfo("Europe/Berlin")
    local = [o.starts_at.astimezone(berlin) for o in occurrences]
    assert [d.strftime("%Y-%m-%d %H:%M") for d in local] == [
        "2030-03-18 07:00", "2030-03-25 07:00", "2030-04-01 07:00", "2030-04-08 07:00",
    ]  # fmt: skip
    # Summer time began on 31 March: the UTC hour moves so the local hour does not.
    assert [o.starts_at.astimezone(dt.UTC).hour for o in occurrences] == [6, 6, 5, 5]


def test_scheduling_twice_creates_each_occurrence_once(instructor: Instructor) -> None:
    fitness_class = services.class_create(
        user=instructor.user,
        title="Daily breath",
        kind="breathing",
        delivery="live",
        segments=SEGMENTS,
        capacity=5,
        first_start_local=dt.datetime(2030, 1, 1, 8, 0),  # noqa: DTZ001
        schedule_rrule="FREQ=DAILY",
    )
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    services.occurrences_schedule(fitness_class=fitness_class, now=now)
    services.occurrences_schedule(fitness_class=fitness_class, now=now)

    assert fitness_class.occurrences.count() == 28


def test_browsing_filters_by_kind(client_for: Any, instructor: Instructor, user: User) -> None:
    client_for(instructor.user).post(URL, class_body(), format="json")
    client_for(instructor.user).post(URL, class_body(kind="hiit", title="Tabata"), format="json")

    response = client_for(user).get(URL, {"kind": "hiit"})

    assert response.status_code == 200
    assert [c["title"] for c in response.json()["results"]] == ["Tabata"]


def test_an_unknown_class_is_404(client_for: Any, user: User) -> None:
    response = client_for(user).get(f"{URL}999999/")

    assert response.status_code == 404


def test_the_instructors_public_name_respects_a_private_profile(
    client_for: Any, instructor: Instructor
) -> None:
    profile = instructor.user.profile
    profile.visibility, profile.pseudonym = "private", "Lotus"
    profile.save()
    client_for(instructor.user).post(URL, class_body(), format="json")

    response = client_for(UserFactory.create()).get(URL)

    assert response.json()["results"][0]["instructor"] == "Lotus"
