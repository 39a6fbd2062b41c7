"""The worlds API: worlds from GPX, route geometry, invitations, sessions, group runs, scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from benchmarks._routes import straight_north
from tests.factories import UserFactory, WorkoutFactory
from tests.worlds.factories import WorldFactory
from wellness.people.models import User
from worlds import services
from worlds.gpx import gpx_write
from worlds.models import AvatarSession, GroupRun, Landmark, Route, World

pytestmark = pytest.mark.django_db


def upload(content: str, name: str = "route.gpx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="application/gpx+xml")


def test_a_world_is_created_from_an_uploaded_gpx_file(client_for: Any, user: User) -> None:
    gpx = gpx_write(straight_north(2_000, climb_per_m=0.01), name="Ridge")

    response = client_for(user).post(
        "/api/v1/worlds/",
        {"gpx": upload(gpx), "name": "Ridge world", "biome": "mountain", "laps": 2},
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Ridge world"
    assert body["laps"] == 2
    assert body["route"]["name"] == "Ridge"
    assert body["route"]["distance_m"] == pytest.approx(2_000, abs=1)
    assert body["route"]["has_elevation"] is True
    assert body["mine"] is True


def test_a_world_with_landmarks_can_be_created_from_gpx_text(client_for: Any, user: User) -> None:
    response = client_for(user).post(
        "/api/v1/worlds/",
        {
            "gpx": gpx_write(straight_north(1_000)),
            "name": "Shore",
            "landmarks": [{"name": "Boathouse", "distance_m": 400, "story": "Built in 1911."}],
        },
    )

    assert response.status_code == 201
    assert [(m["name"], m["distance_m"], m["story"]) for m in response.json()["landmarks"]] == [
        ("Boathouse", 400.0, "Built in 1911.")
    ]


def test_a_gpx_without_elevation_makes_a_flat_route_with_a_note(
    client_for: Any, user: User
) -> None:
    response = client_for(user).post(
        "/api/v1/worlds/", {"gpx": gpx_write(straight_north(500, climb_per_m=None))}
    )

    assert response.status_code == 201
    assert response.json()["route"]["has_elevation"] is False
    assert response.json()["route"]["notes"] == [
        "The GPX file has no elevation, so the route is flat."
    ]


@pytest.mark.parametrize(
    ("gpx", "message"),
    [
        ("<gpx><trk><trkseg><trkpt lat=", "This is not a readable GPX file"),
        ('<gpx version="1.1" creator="x"></gpx>', "This GPX file has no track or route points"),
        (gpx_write([(46.0, 14.0, 300.0)]), "This GPX file has only one point"),
    ],
)
def test_unusable_gpx_gets_a_clear_error_and_creates_nothing(
    client_for: Any, user: User, gpx: str, message: str
) -> None:
    response = client_for(user).post(
        "/api/v1/worlds/", {"gpx": upload(gpx), "name": "Broken"}, format="multipart"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(message)
    assert list(error["fields"]) == ["gpx"]
    assert (World.objects.count(), Route.objects.count()) == (0, 0)


def test_a_world_without_gpx_is_refused(client_for: Any, user: User) -> None:
    response = client_for(user).post("/api/v1/worlds/", {"name": "Nowhere"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"gpx": ["Attach a GPX file."]}
    assert World.objects.count() == 0


def test_a_landmark_off_the_route_refuses_the_whole_world(client_for: Any, user: User) -> None:
    response = client_for(user).post(
        "/api/v1/worlds/",
        {
            "gpx": gpx_write(straight_north(1_000)),
            "landmarks": [{"name": "Far away", "distance_m": 5_000}],
        },
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "landmarks": ["landmark 1 must lie on the route, 0 to 1000 m along it"]
    }
    assert (World.objects.count(), Landmark.objects.count()) == (0, 0)


def test_route_geometry_is_served_compactly(client_for: Any, user: User) -> None:
    world = WorldFactory.create(owner=user, length_m=1_000, climb_per_m=0.02)

    response = client_for(user).get(f"/api/v1/worlds/{world.pk}/route/")

    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == ["lat", "lon", "distance_m", "elevation_m", "gradient"]
    assert len(body["points"]) == 11
    assert body["points"][5][2] == 500.0
    assert body["points"][5][4] == 0.02


def test_a_private_world_is_not_found_for_others(
    client_for: Any, user: User, other_user: User
) -> None:
    world = WorldFactory.create(owner=user, visibility="private")
    client = client_for(other_user)

    for path in ["", "route/", "avatars/"]:
        assert client.get(f"/api/v1/worlds/{world.pk}/{path}").status_code == 404
    assert client.get("/api/v1/worlds/").json()["count"] == 0


def test_an_invited_person_sees_a_private_world(
    client_for: Any, user: User, other_user: User
) -> None:
    world = WorldFactory.create(owner=user, visibility="private")

    invited = client_for(user).post(
        f"/api/v1/worlds/{world.pk}/invitations/", {"email": other_user.email}
    )

    assert invited.status_code == 204
    assert client_for(other_user).get(f"/api/v1/worlds/{world.pk}/").status_code == 200


def test_only_the_owner_adds_landmarks_or_invites(
    client_for: Any, user: User, other_user: User
) -> None:
    world = WorldFactory.create(owner=user)
    client = client_for(other_user)

    landmark = client.post(
        f"/api/v1/worlds/{world.pk}/landmarks/", {"name": "Mine now", "distance_m": 10}
    )
    invite = client.post(f"/api/v1/worlds/{world.pk}/invitations/", {"email": other_user.email})

    assert (landmark.status_code, invite.status_code) == (404, 404)
    assert world.landmarks.count() == 0
    assert world.invitees.count() == 0


def test_the_owner_adds_a_landmark(client_for: Any, user: User) -> None:
    world = WorldFactory.create(owner=user)

    response = client_for(user).post(
        f"/api/v1/worlds/{world.pk}/landmarks/",
        {"name": "Chapel", "distance_m": 250, "story": "Rang at noon."},
    )

    assert response.status_code == 201
    assert list(world.landmarks.values_list("name", "distance_m")) == [("Chapel", 250.0)]


def test_a_session_needs_health_data_consent(client_for: Any, user: User) -> None:
    world = WorldFactory.create()

    response = client_for(user).post(
        "/api/v1/worlds/sessions/",
        {"world_id": world.pk, "workout_id": WorkoutFactory.create(user=user).pk, "sport": "run"},
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert AvatarSession.objects.count() == 0


def test_a_session_starts_at_the_start_of_the_world(client_for: Any, consenting_user: User) -> None:
    world = WorldFactory.create()

    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/",
        {
            "world_id": world.pk,
            "workout_id": WorkoutFactory.create(user=consenting_user).pk,
            "sport": "walk",
            "indoor": True,
        },
    )

    assert response.status_code == 201
    assert (response.json()["distance_m"], response.json()["status"]) == (0.0, "active")


def test_one_workout_moves_one_avatar_at_a_time(client_for: Any, consenting_user: User) -> None:
    world = WorldFactory.create()
    client = client_for(consenting_user)
    body = {
        "world_id": world.pk,
        "workout_id": WorkoutFactory.create(user=consenting_user).pk,
        "sport": "run",
    }
    client.post("/api/v1/worlds/sessions/", body)

    again = client.post("/api/v1/worlds/sessions/", body)

    assert again.status_code == 409
    assert AvatarSession.objects.count() == 1


def test_a_session_with_an_unknown_sport_is_refused(client_for: Any, consenting_user: User) -> None:
    world = WorldFactory.create()

    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/",
        {
            "world_id": world.pk,
            "workout_id": WorkoutFactory.create(user=consenting_user).pk,
            "sport": "swim",
        },
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["sport"]
    assert AvatarSession.objects.count() == 0


def test_a_session_in_a_private_world_one_was_not_invited_to_is_not_found(
    client_for: Any, user: User, consenting_user: User
) -> None:
    world = WorldFactory.create(owner=user, visibility="private")

    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/",
        {
            "world_id": world.pk,
            "workout_id": WorkoutFactory.create(user=consenting_user).pk,
            "sport": "run",
        },
    )

    assert response.status_code == 404
    assert AvatarSession.objects.count() == 0


def test_another_persons_session_is_not_found(
    client_for: Any, consenting_user: User, other_user: User
) -> None:
    session = services.session_start(
        user=consenting_user,
        world_id=WorldFactory.create().pk,
        workout_id=WorkoutFactory.create(user=consenting_user).pk,
        sport="run",
    )
    client = client_for(other_user)

    detail = client.get(f"/api/v1/worlds/sessions/{session.pk}/")
    finish = client.post(f"/api/v1/worlds/sessions/{session.pk}/finish/")

    assert (detail.status_code, finish.status_code) == (404, 404)
    session.refresh_from_db()
    assert session.status == "active"
    assert client.get("/api/v1/worlds/sessions/").json()["count"] == 0


def test_finishing_a_session_takes_the_avatar_out_of_the_world(
    client_for: Any, consenting_user: User
) -> None:
    world = WorldFactory.create()
    session = services.session_start(
        user=consenting_user,
        world_id=world.pk,
        workout_id=WorkoutFactory.create(user=consenting_user).pk,
        sport="run",
    )
    client = client_for(consenting_user)

    response = client.post(f"/api/v1/worlds/sessions/{session.pk}/finish/")

    assert response.json()["status"] == "finished"
    assert client.get(f"/api/v1/worlds/{world.pk}/avatars/").json() == {"avatars": []}


def test_a_group_run_is_scheduled_joined_and_entered(
    client_for: Any, consenting_user: User, other_user: User
) -> None:
    world = WorldFactory.create()
    starts = timezone.now() + dt.timedelta(minutes=10)
    created = client_for(consenting_user).post(
        "/api/v1/worlds/group-runs/",
        {
            "world_id": world.pk,
            "title": "Tuesday tempo",
            "starts_at": starts.isoformat(),
            "pen": "A",
        },
    )
    run_id = created.json()["id"]

    joined = client_for(other_user).post(f"/api/v1/worlds/group-runs/{run_id}/join/")
    entered = client_for(other_user).post(
        "/api/v1/worlds/sessions/",
        {
            "world_id": world.pk,
            "workout_id": WorkoutFactory.create(user=other_user).pk,
            "sport": "run",
            "group_run_id": run_id,
        },
    )

    assert created.status_code == 201
    assert joined.json()["participants"] == 2
    assert entered.status_code == 201
    assert entered.json()["group_run_id"] == run_id


def test_a_group_run_pen_opens_fifteen_minutes_before_the_start(
    client_for: Any, consenting_user: User
) -> None:
    world = WorldFactory.create()
    run = services.group_run_schedule(
        organizer=consenting_user,
        world_id=world.pk,
        title="Sunday long run",
        starts_at=timezone.now() + dt.timedelta(hours=2),
    )

    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/",
        {
            "world_id": world.pk,
            "workout_id": WorkoutFactory.create(user=consenting_user).pk,
            "sport": "run",
            "group_run_id": run.pk,
        },
    )

    assert response.status_code == 409
    assert AvatarSession.objects.count() == 0


def test_a_group_run_in_the_past_is_refused(client_for: Any, user: User) -> None:
    world = WorldFactory.create()

    response = client_for(user).post(
        "/api/v1/worlds/group-runs/",
        {"world_id": world.pk, "title": "Yesterday", "starts_at": "2020-01-01T08:00:00Z"},
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["starts_at"]
    assert GroupRun.objects.count() == 0


def test_a_group_run_in_a_private_world_is_not_found_for_others(
    client_for: Any, user: User, other_user: User
) -> None:
    world = WorldFactory.create(owner=user, visibility="private")
    run = services.group_run_schedule(
        organizer=user, world_id=world.pk, title="Invite only",
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    client = client_for(other_user)

    assert client.get(f"/api/v1/worlds/group-runs/{run.pk}/").status_code == 404
    assert client.post(f"/api/v1/worlds/group-runs/{run.pk}/join/").status_code == 404
    assert run.participants.filter(pk=other_user.pk).exists() is False


def test_group_run_results_rank_finishers_by_time_under_public_names(
    client_for: Any, consenting_user: User
) -> None:
    world = WorldFactory.create(length_m=100)
    run = services.group_run_schedule(
        organizer=consenting_user, world_id=world.pk, title="Sprint",
        starts_at=timezone.now() + dt.timedelta(minutes=5),
    )  # fmt: skip
    hidden = UserFactory.create(
        consented=True, profile__visibility="private", profile__pseudonym="Fox"
    )
    for who, speed in [(consenting_user, 4.0), (hidden, 5.0)]:
        services.group_run_join(user=who, group_run_id=run.pk)
        session = services.session_start(
            user=who, world_id=world.pk, workout_id=WorkoutFactory.create(user=who).pk, sport="run",
            group_run_id=run.pk,
        )  # fmt: skip
        services.avatars_advance(
            world_id=world.pk,
            batches={session.pk: [{"t": float(t), "speed": speed} for t in range(40)]},
        )

    response = client_for(consenting_user).get(f"/api/v1/worlds/group-runs/{run.pk}/")

    assert response.json()["results"] == [
        {"position": 1, "name": "Fox", "finish_time_s": 20.0, "distance_m": 100.0},
        {
            "position": 2,
            "name": consenting_user.profile.display_name,
            "finish_time_s": 25.0,
            "distance_m": 100.0,
        },
    ]


def test_ids_too_large_for_the_database_are_refused_not_crashed_on(
    client_for: Any, consenting_user: User
) -> None:
    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/", {"world_id": 2**70, "workout_id": 2**70, "sport": "run"}
    )

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["workout_id", "world_id"]
    assert AvatarSession.objects.count() == 0


def test_an_id_too_long_for_the_database_in_the_path_is_not_found(
    client_for: Any, user: User
) -> None:
    response = client_for(user).get(f"/api/v1/worlds/{10**30}/route/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_avatar_cannot_follow_another_persons_workout(
    client_for: Any, consenting_user: User, other_user: User
) -> None:
    theirs = WorkoutFactory.create(user=other_user)

    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/",
        {"world_id": WorldFactory.create().pk, "workout_id": theirs.pk, "sport": "run"},
        format="json",
    )

    assert response.status_code == 404
    assert AvatarSession.objects.count() == 0


def test_an_avatar_cannot_follow_a_workout_that_does_not_exist(
    client_for: Any, consenting_user: User
) -> None:
    # Reserving an id now would let whoever's workout later gets it move this avatar.
    missing = WorkoutFactory.create(user=consenting_user).pk + 1_000

    response = client_for(consenting_user).post(
        "/api/v1/worlds/sessions/",
        {"world_id": WorldFactory.create().pk, "workout_id": missing, "sport": "run"},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert AvatarSession.objects.count() == 0


def test_an_invitation_answers_the_same_whether_or_not_the_address_is_registered(
    client_for: Any, user: User, other_user: User
) -> None:
    world = WorldFactory.create(owner=user, visibility="private")
    client = client_for(user)
    url = f"/api/v1/worlds/{world.pk}/invitations/"

    known = client.post(url, {"email": other_user.email})
    unknown = client.post(url, {"email": "nobody-here@example.test"})

    assert (known.status_code, unknown.status_code) == (204, 204)
    assert (known.content, unknown.content) == (b"", b"")
    assert list(world.invitees.values_list("pk", flat=True)) == [other_user.pk]


def test_invitations_are_throttled_per_person(
    client_for: Any, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DRF reads the rates once at import, so the test sets them on the throttle class.
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "invitations": "3/hour"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    world = WorldFactory.create(owner=user, visibility="private")
    client = client_for(user)

    answers = [
        client.post(f"/api/v1/worlds/{world.pk}/invitations/", {"email": f"p{n}@example.test"})
        for n in range(4)
    ]

    assert [a.status_code for a in answers] == [204, 204, 204, 429]
    assert answers[-1].json()["error"]["code"] == "throttled"
