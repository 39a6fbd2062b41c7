"""The workout page's export buttons download real files: FIT, GPX and CSV that parse and hold
the workout's samples."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import fitdecode
import pytest

from tests.frontend.helpers import PHONE, off_loop, sign_in
from tests.servers import AsgiServer
from wellness.people.models import User
from wellness.workouts.models import Workout
from wellness.workouts.services import workout_create_with_samples, workout_start

pytestmark = pytest.mark.integration

START = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
SECONDS = 120


def gps_run(user: User) -> Workout:
    samples = [
        {
            "t": START.timestamp() + i,
            "hr": 130 + i % 20,
            "speed": 3.0,
            "cadence": 170.0,
            "distance": 3.0 * i,
            "altitude": 300.0 + i / 10,
            "lat": 46.0 + i * 3.0 / 111_195,
            "lon": 14.0,
        }
        for i in range(SECONDS)
    ]
    return off_loop(
        lambda: workout_create_with_samples(
            user=user,
            sport="run",
            indoor=False,
            source="file",
            started_at=START,
            ended_at=START + dt.timedelta(seconds=SECONDS),
            samples=samples,
        )
    )


def download(page: Any, name: str, tmp_path: Path) -> tuple[str, Path]:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return info.value.suggested_filename, target


def test_each_export_button_downloads_a_file_that_parses_with_the_workouts_samples(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User, tmp_path: Path
) -> None:
    workout = gps_run(consenting_user)
    page = chromium.new_context(viewport=PHONE, accept_downloads=True).new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/workouts/{workout.pk}")
    page.get_by_role("heading", name="Export").wait_for()

    fit_name, fit_path = download(page, "Download FIT", tmp_path)
    gpx_name, gpx_path = download(page, "Download GPX", tmp_path)
    csv_name, csv_path = download(page, "Download CSV", tmp_path)

    stem = f"wellverse-run-20261121T080000Z-{workout.pk}"
    assert (fit_name, gpx_name, csv_name) == (f"{stem}.fit", f"{stem}.gpx", f"{stem}.csv")
    with fitdecode.FitReader(fit_path) as fit:
        records = [
            frame
            for frame in fit
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
        ]
    assert len(records) == SECONDS
    assert records[0].get_value("heart_rate") == 130
    track = ET.parse(gpx_path).getroot()
    points = track.findall(".//{*}trkpt")
    assert len(points) == SECONDS
    assert float(points[0].get("lat", "nan")) == pytest.approx(46.0, abs=1e-6)
    with csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == SECONDS
    assert float(rows[-1]["hr"]) == 130 + (SECONDS - 1) % 20


def test_a_workout_without_samples_offers_no_export(
    asgi_server: AsgiServer, chromium: Any, consenting_user: User
) -> None:
    workout = off_loop(
        lambda: workout_start(user=consenting_user, sport="walk", indoor=True, started_at=START)
    )
    page = chromium.new_context(viewport=PHONE).new_page()
    sign_in(page, asgi_server.http_url, consenting_user.email)
    page.goto(f"{asgi_server.http_url}/workouts/{workout.pk}")

    page.get_by_text("This workout has no samples yet, so there is nothing to export.").wait_for()
    assert page.get_by_role("link", name="Download FIT").count() == 0
