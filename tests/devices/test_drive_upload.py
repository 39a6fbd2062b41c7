"""A car drive uploaded as a workout is flagged whatever sport it claims, and so counts in no
challenge until an organizer accepts it (issue 19, point 4)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import Contribution, ContributionStatus
from tests.factories import UserFactory
from tests.helpers import ClientFor
from wellness.people.models import User

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
METRES_PER_DEGREE = 111_195.0


def drive_gpx(*, gpx_type: str | None, low_kmh: float, high_kmh: float, minutes: int = 30) -> bytes:
    """A drive north at 1 Hz, its speed swinging between low and high every five minutes."""
    points, lat = [], 46.0
    for second in range(minutes * 60):
        kmh = low_kmh + (high_kmh - low_kmh) * (0.5 - 0.5 * math.cos(2 * math.pi * second / 300))
        at = (START + dt.timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(f'<trkpt lat="{lat:.7f}" lon="14.5"><time>{at}</time></trkpt>')
        lat += kmh / 3.6 / METRES_PER_DEGREE
    kind = f"<type>{gpx_type}</type>" if gpx_type else ""
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk>{kind}<trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def _upload(client: Any, data: bytes, name: str = "drive.gpx") -> dict[str, Any]:
    response = client.post(
        "/api/v1/workouts/import/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("gpx_type", "sport", "low", "high", "flag"),
    [
        ("other", "other", 60.0, 120.0, "speed_implausible"),
        ("running", "run", 60.0, 120.0, "speed_implausible"),
        # never above a descent's 108 km/h: the ten-minute mean gives it away
        ("other", "other", 60.0, 100.0, "speed_sustained"),
        (None, "other", 60.0, 100.0, "speed_sustained"),
        ("cycling", "ride", 60.0, 100.0, "speed_sustained"),
    ],
)
def test_a_drive_uploaded_as_a_workout_is_flagged_and_held_back(
    client_for: ClientFor,
    user: User,
    django_capture_on_commit_callbacks: Any,
    gpx_type: str | None,
    sport: str,
    low: float,
    high: float,
    flag: str,
) -> None:
    driver = UserFactory.create(consented=True)
    challenge = (
        client_for(user)
        .post(
            "/api/v1/challenges/",
            {
                "title": "November kilometres",
                "starts_on": "2026-11-01",
                "ends_on": "2026-11-30",
                "goal_type": "distance",
            },
            format="json",
        )
        .json()
    )
    client_for(driver).post(f"/api/v1/challenges/{challenge['id']}/join/")

    with django_capture_on_commit_callbacks(execute=True):
        imported = _upload(
            client_for(driver), drive_gpx(gpx_type=gpx_type, low_kmh=low, high_kmh=high)
        )

    score = client_for(driver).get(f"/api/v1/workouts/{imported['workout_id']}/score/").json()
    assert score["metrics"]["sport"] == sport
    assert flag in [f["code"] for f in score["flags"]]
    assert score["counts_for_leaderboards"] is False
    contribution = Contribution.objects.get(workout_id=imported["workout_id"])
    assert contribution.status == ContributionStatus.PENDING
    board = client_for(driver).get(f"/api/v1/challenges/{challenge['id']}/leaderboard/").json()
    assert [entry["progress"] for entry in board["top"]] == [0.0]
