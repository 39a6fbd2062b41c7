"""Activity files through the API and the CLI: import, export, round trip; every refusal stores
nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from tests.factories import hr_samples
from tests.helpers import ClientFor
from wellness.people.models import User
from wellness.workouts.models import SampleBatch, Workout, WorkoutSource, WorkoutStatus
from wellness.workouts.services import workout_finish, workout_samples_store, workout_start

if TYPE_CHECKING:
    from tests.helpers import TestResponse

pytestmark = pytest.mark.django_db

T0 = 1_764_000_000.0
START = dt.datetime.fromtimestamp(T0, tz=dt.UTC)
CSV_HEADER = "t,hr,rr,cadence,speed,distance,power,altitude,lat,lon\n"


def _upload(client: APIClient, name: str, data: bytes) -> TestResponse:
    return client.post(
        "/api/v1/workouts/import/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def _nothing_stored() -> bool:
    return not Workout.objects.exists() and not SampleBatch.objects.exists()


def _samples(client: APIClient, workout_id: int) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = client.get(f"/api/v1/workouts/{workout_id}/samples/").json()[
        "samples"
    ]
    return samples


def _csv(rows: list[str]) -> bytes:
    return (CSV_HEADER + "".join(row + "\n" for row in rows)).encode()


# --- Import through the API ----------------------------------------------------------------------
def test_a_fit_run_imports_as_a_finished_workout_matching_its_record_dump(
    client_for: ClientFor, consenting_user: User, shared_data: Path
) -> None:
    data = (shared_data / "fit" / "garmin-fenix-5-run.fit").read_bytes()

    response = _upload(client_for(consenting_user), "garmin-fenix-5-run.fit", data)

    assert response.status_code == 201
    body = response.json()
    workout = Workout.objects.get(pk=body["workout_id"])
    assert (workout.user, workout.sport, workout.source, workout.status, workout.indoor) == (
        consenting_user, "run", WorkoutSource.FILE, WorkoutStatus.FINISHED, False,
    )  # fmt: skip
    assert workout.started_at.isoformat() == "2017-06-11T14:34:09+00:00"
    # the last record and timer stop (the session message was saved 18 s later)
    assert workout.ended_at == dt.datetime(2017, 6, 11, 14, 35, 6, tzinfo=dt.UTC)
    # garmin-fenix-5-run-records.csv: 21 records, last distance 157.56 m, mean heart rate 85.
    assert (body["samples"], body["distance_m"], body["avg_hr"]) == (21, 157.56, 85.0)
    stored = _samples(client_for(consenting_user), workout.pk)
    assert len(stored) == 21
    assert stored[-1]["distance"] == pytest.approx(157.56)


def test_an_indoor_fit_without_positions_imports(
    client_for: ClientFor, consenting_user: User, shared_data: Path
) -> None:
    data = (shared_data / "fit" / "sample-activity-indoor-trainer.fit").read_bytes()

    body = _upload(client_for(consenting_user), "trainer.fit", data).json()

    workout = Workout.objects.get(pk=body["workout_id"])
    assert (workout.sport, workout.indoor, body["samples"], body["avg_hr"]) == (
        "ride", True, 2263, 147.7,
    )  # fmt: skip


def test_a_gpx_track_imports_with_its_length(
    client_for: ClientFor, consenting_user: User, shared_data: Path
) -> None:
    data = (shared_data / "gpx" / "cerknicko-jezero.gpx").read_bytes()

    body = _upload(client_for(consenting_user), "cerknicko-jezero.gpx", data).json()

    assert (body["format"], body["samples"], body["distance_m"], body["avg_hr"]) == (
        "gpx", 296, 13665.0, None,
    )  # fmt: skip
    workout = Workout.objects.get(pk=body["workout_id"])
    assert workout.ended_at == workout.started_at + dt.timedelta(seconds=7190)


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("activity-unexpected-eof.fit", "ends early"),
        ("activity-settings-corruptheader.fit", "is damaged"),
    ],
)
def test_a_damaged_fit_file_keeps_the_records_before_the_damage_and_says_so(
    client_for: ClientFor, consenting_user: User, shared_data: Path, name: str, damage: str
) -> None:
    data = (shared_data / "fit" / name).read_bytes()

    response = _upload(client_for(consenting_user), name, data)

    assert response.status_code == 201
    body = response.json()
    assert body["samples"] == 14
    assert body["warnings"] == [
        f"The file {damage}{'' if damage == 'ends early' else ' after that point'}: "
        "the 14 records before that point were kept."
    ]
    assert len(_samples(client_for(consenting_user), body["workout_id"])) == 14


def test_a_fit_file_damaged_before_any_record_is_refused_and_nothing_is_stored(
    client_for: ClientFor, consenting_user: User, shared_data: Path
) -> None:
    data = (shared_data / "fit" / "activity-unexpected-eof.fit").read_bytes()[:60]

    response = _upload(client_for(consenting_user), "cut.fit", data)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_activity_file"
    assert "truncated" in response.json()["error"]["message"]
    assert _nothing_stored()


def test_a_route_without_times_is_refused_and_nothing_is_stored(
    client_for: ClientFor, consenting_user: User, shared_data: Path
) -> None:
    data = (shared_data / "gpx" / "route.gpx").read_bytes()

    response = _upload(client_for(consenting_user), "route.gpx", data)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_activity_file"
    assert _nothing_stored()


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is not an activity", b"<gpx><trk><trkseg><trkpt lat='1'", b"\x00" * 64],
)
def test_garbage_is_refused_with_a_sentence_and_nothing_is_stored(
    client_for: ClientFor, consenting_user: User, data: bytes
) -> None:
    response = _upload(client_for(consenting_user), "upload.bin", data)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_activity_file"
    assert error["message"].endswith(".")
    assert _nothing_stored()


def test_an_upload_without_a_file_field_is_refused(
    client_for: ClientFor, consenting_user: User
) -> None:
    response = client_for(consenting_user).post(
        "/api/v1/workouts/import/", {"other": "x"}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": ["A FIT, GPX or TCX file."]}
    assert _nothing_stored()


def test_a_file_over_the_limit_gets_413_naming_the_limit_and_nothing_is_stored(
    client_for: ClientFor, consenting_user: User, settings: Settings
) -> None:
    settings.WELLVERSE_IMPORT_MAX_BYTES = 1000
    data = _csv([f"{T0 + i},120,,,,,,,," for i in range(100)])
    assert len(data) > 1000

    response = _upload(client_for(consenting_user), "big.csv", data)

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "payload_too_large",
        "message": f"An activity file may be at most 1,000 bytes; this one has {len(data):,}.",
        "fields": {},
    }
    assert _nothing_stored()


def test_import_without_health_data_consent_is_refused_and_nothing_is_stored(
    client_for: ClientFor, user: User, shared_data: Path
) -> None:
    data = (shared_data / "fit" / "garmin-fenix-5-run.fit").read_bytes()

    response = _upload(client_for(user), "run.fit", data)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert _nothing_stored()


def test_import_needs_sign_in(api_client: APIClient) -> None:
    response = _upload(api_client, "a.csv", _csv([f"{T0},120,,,,,,,,"]))

    assert response.status_code in (401, 403)
    assert _nothing_stored()


# --- Import through the command ------------------------------------------------------------------
def test_import_activity_command_prints_the_json_summary(
    consenting_user: User, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "import_activity",
        str(shared_data / "fit" / "garmin-edge-820-bike.fit"),
        "--user",
        consenting_user.email.upper(),
    )

    summary = json.loads(capsys.readouterr().out)
    workout = Workout.objects.get(user=consenting_user)
    assert summary == {
        "workout_id": workout.pk,
        "format": "fit",
        "sport": "ride",
        "indoor": False,
        "started_at": "2017-06-12T16:10:15+00:00",
        "ended_at": "2017-06-12T16:11:20+00:00",
        "duration_s": 65.0,
        "timer_s": 65.0,
        "pauses": 0,
        "laps": 1,
        "samples": 15,
        "distance_m": 457.12,
        "avg_hr": 114.0,
        "rr_intervals": 126,
        "warnings": [],
    }


def test_import_activity_command_refuses_an_unknown_user_with_exit_2(
    db: None, shared_data: Path
) -> None:
    with pytest.raises(CommandError, match=r"No user has the email nobody@example\.test\.") as exc:
        call_command(
            "import_activity",
            str(shared_data / "fit" / "garmin-fenix-5-run.fit"),
            "--user",
            "nobody@example.test",
        )

    assert exc.value.returncode == 2
    assert _nothing_stored()


def test_import_activity_command_refuses_a_user_without_consent_with_exit_2(
    user: User, shared_data: Path
) -> None:
    with pytest.raises(CommandError, match="has not consented to storing health data") as exc:
        call_command(
            "import_activity",
            str(shared_data / "fit" / "garmin-fenix-5-run.fit"),
            "--user",
            user.email,
        )

    assert exc.value.returncode == 2
    assert _nothing_stored()


def test_import_activity_command_refuses_a_bad_file_with_exit_2(
    consenting_user: User, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.fit"
    bad.write_bytes(b"not a fit file at all")

    with pytest.raises(CommandError, match=r"notes\.fit is not a valid FIT file") as exc:
        call_command("import_activity", str(bad), "--user", consenting_user.email)

    assert exc.value.returncode == 2
    assert _nothing_stored()


def test_import_activity_command_refuses_a_missing_file_with_exit_2(
    consenting_user: User, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="Cannot read") as exc:
        call_command("import_activity", str(tmp_path / "gone.fit"), "--user", consenting_user.email)

    assert exc.value.returncode == 2
    assert _nothing_stored()


# --- Export --------------------------------------------------------------------------------------
def _live_workout(user: User) -> Workout:
    workout = workout_start(user=user, sport="run", indoor=False, started_at=START)
    samples = hr_samples(T0, 30)
    for i, sample in enumerate(samples):
        sample.update(
            lat=46.0 + i * 1e-4, lon=14.0 + i * 1e-4, altitude=300.0 + i * 0.2, distance=i * 3.0,
            speed=3.0, cadence=170.0, rr=[500.0, 510.0] if i % 5 == 0 else [],
        )  # fmt: skip
        if not sample["rr"]:
            del sample["rr"]
    workout_samples_store(user=user, workout_id=workout.pk, device="strap", seq=1, samples=samples)
    return workout_finish(workout_id=workout.pk)


def test_a_csv_export_imports_back_to_exactly_the_same_samples(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    original = _live_workout(consenting_user)

    exported = client.get(f"/api/v1/workouts/{original.pk}/export.csv")
    again = _upload(client, "again.csv", exported.content)

    assert exported.status_code == 200
    assert again.status_code == 201
    assert _samples(client, again.json()["workout_id"]) == _samples(client, original.pk)


# FIT's resolution (devices/activity_files/README.md): position 1 semicircle, altitude 0.2 m.
FIT_RESOLUTION = {"lat": 1e-7, "lon": 1e-7, "altitude": 0.2, "speed": 1e-3, "distance": 1e-2}


def test_a_fit_export_imports_back_to_the_same_samples_within_fit_resolution(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    original = _live_workout(consenting_user)

    exported = client.get(f"/api/v1/workouts/{original.pk}/export.fit")
    again = _upload(client, "again.fit", exported.content)

    assert again.status_code == 201
    before = _samples(client, original.pk)
    after = _samples(client, again.json()["workout_id"])
    assert [sorted(s) for s in after] == [sorted(s) for s in before]
    for old, new in zip(before, after, strict=True):
        for key, value in old.items():
            assert new[key] == pytest.approx(value, abs=FIT_RESOLUTION.get(key, 0))


def test_a_gpx_export_imports_back_to_the_same_time_position_and_heart_rate(
    client_for: ClientFor, consenting_user: User
) -> None:
    client = client_for(consenting_user)
    original = _live_workout(consenting_user)

    exported = client.get(f"/api/v1/workouts/{original.pk}/export?format=gpx")
    again = _upload(client, "again.gpx", exported.content).json()

    keys = ("t", "hr", "lat", "lon", "altitude", "cadence")
    before = [{k: s[k] for k in keys} for s in _samples(client, original.pk)]
    after = [{k: s.get(k) for k in keys} for s in _samples(client, again["workout_id"])]
    assert after == before


def test_export_is_a_download_with_a_file_name_and_content_type(
    client_for: ClientFor, consenting_user: User
) -> None:
    workout = _live_workout(consenting_user)

    response = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/export.fit")

    assert response["Content-Type"] == "application/vnd.ant.fit"
    assert response["Content-Disposition"].startswith('attachment; filename="wellverse-run-')
    assert response["Content-Disposition"].endswith(f'-{workout.pk}.fit"')
    assert response.content[8:12] == b".FIT"


def test_another_users_workout_cannot_be_exported(
    client_for: ClientFor, consenting_user: User, other_user: User
) -> None:
    workout = _live_workout(consenting_user)

    response = client_for(other_user).get(f"/api/v1/workouts/{workout.pk}/export.csv")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unknown_export_format_is_a_400(client_for: ClientFor, consenting_user: User) -> None:
    workout = _live_workout(consenting_user)

    response = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/export.xlsx")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_export_format"


def test_a_workout_without_samples_has_nothing_to_export(
    client_for: ClientFor, consenting_user: User
) -> None:
    workout = workout_start(user=consenting_user, sport="run", indoor=False, started_at=START)

    response = client_for(consenting_user).get(f"/api/v1/workouts/{workout.pk}/export.csv")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nothing_to_export"
