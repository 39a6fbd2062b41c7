"""devices.activity_files: timer pauses, laps, true start and end, and what a file must hold.

Files are made with the project's own writers (fit-tool through ``export_fit``, gpxpy through
``export_gpx``) or inline; see issue 20 (points 2, 8, 9 and 10).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer

from devices.activity_files import (
    ActivityFileInvalid,
    export_activity,
    export_csv,
    export_fit,
    export_gpx,
    parse_activity,
)
from wellness.scoring.track import track_length_m

T0 = 1_714_557_600.0  # 2024-05-01T10:00:00Z
START = datetime.fromtimestamp(T0, tz=UTC)
NAN = math.nan


def ride(times: np.ndarray) -> dict[str, np.ndarray]:
    """A ride sampled at ``times`` (offsets from T0) at 8 m/s along a meridian."""
    n = times.size
    return {
        "t": T0 + times,
        "hr": np.full(n, 140.0),
        "cadence": np.full(n, 85.0),
        "speed": np.full(n, 8.0),
        "distance": np.round(8.0 * times, 2),
        "power": np.full(n, 180.0),
        "altitude": np.full(n, 300.0),
        "lat": 46.0 + times * 8.0 / 111_195.0,
        "lon": np.full(n, 14.0),
    }


def with_a_stop(minutes: float = 40.0) -> tuple[dict[str, np.ndarray], tuple[float, float]]:
    """Ten minutes' ride, a café stop of ``minutes`` with the timer stopped, then five minutes."""
    before = np.arange(0.0, 600.0)
    stopped = (T0 + 599.0, T0 + 599.0 + minutes * 60.0)
    after = np.arange(599.0 + minutes * 60.0, 599.0 + minutes * 60.0 + 300.0)
    cols = ride(np.concatenate((before, after)))
    cols["distance"][before.size :] = cols["distance"][before.size - 1] + 8.0 * (after - after[0])
    return cols, stopped


# --- Timer events (point 2) ---------------------------------------------------------------------
def test_fit_timer_stop_and_start_become_a_pause_and_the_timer_time_leaves_it_out() -> None:
    # given a ride with a 40-minute café stop, exported with its timer stop and start
    cols, stop = with_a_stop(40.0)
    data = export_fit(cols, sport="ride", started_at=START, pauses=[stop])
    # when it is imported
    activity = parse_activity(data, "cafe.fit")
    # then the stop is a pause, elapsed time keeps it and the timer's time leaves it out
    assert activity.timer is True
    assert activity.pauses == (stop,)
    assert activity.duration_s == 599.0 + 2400.0 + 299.0
    assert activity.timer_s == 599.0 + 299.0
    assert activity.summary()["pauses"] == 1


def test_a_gps_drop_while_the_timer_runs_is_not_a_pause() -> None:
    # given a run with a 14 s gap between records and no timer stop
    times = np.concatenate((np.arange(0.0, 100.0), np.arange(114.0, 200.0)))
    data = export_fit(ride(times), sport="run", started_at=START)
    # when it is imported, then there is no pause and the timer ran throughout
    activity = parse_activity(data, "drop.fit")
    assert (activity.timer, activity.pauses) == (True, ())
    assert activity.timer_s == activity.duration_s == 199.0


def test_a_fit_without_timer_events_says_so() -> None:
    # given an export's records without the timer events (a GPX carries none either)
    gpx = export_gpx(ride(np.arange(0.0, 30.0)), sport="ride", started_at=START)
    assert parse_activity(gpx, "x.gpx").timer is False


# --- Round trips (point 10) ---------------------------------------------------------------------
def test_fit_round_trip_keeps_pauses_laps_and_the_session_end() -> None:
    # given a ride with a stop, two laps after the first and a session ending after the last record
    cols, stop = with_a_stop(17.0)
    laps = (T0 + 300.0, T0 + 1700.0)
    end = datetime.fromtimestamp(float(cols["t"][-1]) + 5.0, tz=UTC)
    data = export_fit(cols, sport="ride", started_at=START, ended_at=end, pauses=[stop], laps=laps)
    # when it is imported
    activity = parse_activity(data, "laps.fit")
    # then pauses, laps and the end are as written
    assert activity.pauses == (stop,)
    assert activity.laps == laps
    assert activity.ended_at == end
    assert activity.started_at == START
    assert activity.summary()["laps"] == 3


def test_gpx_export_keeps_heart_rate_and_cadence_of_samples_without_a_position() -> None:
    # given a ride whose GPS drops out for 20 s (and has no fix for its first 3 s)
    cols = ride(np.arange(0.0, 60.0))
    for key in ("lat", "lon"):
        cols[key][20:40] = NAN
        cols[key][:3] = NAN
    cols["hr"] = 120.0 + np.arange(60.0)
    # when it is exported as GPX and read back
    back = parse_activity(export_gpx(cols, sport="ride", started_at=START), "x.gpx")
    # then every sample's heart rate and cadence survived, on the track it was on
    np.testing.assert_array_equal(back.columns["t"], cols["t"])
    np.testing.assert_array_equal(back.columns["hr"], cols["hr"])
    np.testing.assert_array_equal(back.columns["cadence"], cols["cadence"])
    assert np.isfinite(back.columns["lat"]).all()
    # and the track's length is that of the positions recorded
    assert back.summary()["distance_m"] == pytest.approx(
        track_length_m(cols["lat"], cols["lon"]), abs=0.01
    )


def test_gpx_round_trip_keeps_the_true_start_before_the_first_fix() -> None:
    # given a workout started 90 s before its first sample (the first GPS fix)
    cols = ride(np.arange(90.0, 150.0))
    back = parse_activity(export_gpx(cols, sport="ride", started_at=START), "x.gpx")
    assert back.started_at == START


def test_csv_round_trip_keeps_the_sport() -> None:
    cols, _ = with_a_stop(40.0)
    back = parse_activity(export_csv(cols, sport="ride", started_at=START), "x.csv")
    assert (back.sport, back.timer) == ("ride", False)


def test_export_activity_passes_pauses_and_laps_to_fit() -> None:
    cols, stop = with_a_stop(40.0)
    exported = export_activity(
        "fit", cols, sport="ride", started_at=START, pauses=[stop], laps=[T0 + 600.0]
    )
    back = parse_activity(exported.data, "x.fit")
    assert (back.pauses, back.laps) == ((stop,), (T0 + 600.0,))


# --- Files that are not activities (point 8) ------------------------------------------------------
def gpx(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="t" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>'
    ).encode()


def test_gpx_with_only_timed_waypoints_is_refused() -> None:
    data = gpx(
        '<wpt lat="46" lon="14"><time>2024-05-01T10:00:00Z</time></wpt>'
        '<wpt lat="46.1" lon="14"><time>2024-05-01T11:00:00Z</time></wpt>'
    )
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(data, "places.gpx")
    assert caught.value.message == (
        "places.gpx holds only waypoints, places rather than a recorded activity, so there is "
        "nothing to import as a workout."
    )


@pytest.mark.parametrize(
    "points",
    [
        '<trkpt lat="46" lon="14"><time>2024-05-01T10:00:00Z</time></trkpt>',
        # two points at the same moment: zero duration
        '<trkpt lat="46" lon="14"><time>2024-05-01T10:00:00Z</time></trkpt>'
        '<trkpt lat="46.1" lon="14"><time>2024-05-01T10:00:00Z</time></trkpt>',
    ],
    ids=["one point", "zero duration"],
)
def test_a_track_of_one_moment_is_refused(points: str) -> None:
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(gpx(f"<trk><trkseg>{points}</trkseg></trk>"), "moment.gpx")
    assert caught.value.message == (
        "moment.gpx holds a single point in time, not a recorded activity, so there is nothing "
        "to import as a workout."
    )


# --- Damaged files (point 9) ----------------------------------------------------------------------
def test_damage_mid_file_keeps_the_records_before_it_and_never_quotes_the_library() -> None:
    # given a 600-record file whose bytes after the first third are overwritten
    data = bytearray(export_fit(ride(np.arange(0.0, 600.0)), sport="ride", started_at=START))
    cut = len(data) // 3
    data[cut:] = bytes(len(data) - cut)
    # when it is imported
    activity = parse_activity(bytes(data), "damaged.fit")
    # then the records before the damage are kept, with a warning in plain words
    kept = len(activity)
    assert 100 < kept < 600
    assert activity.columns["t"][-1] == T0 + kept - 1
    (warning,) = activity.warnings
    assert warning.endswith(f"the {kept} records before that point were kept.")
    assert not any(word in warning for word in ("@", "fitdecode", "bytes", "Error"))


def test_a_long_damaged_file_counts_its_kept_records_with_thousands_separators() -> None:
    data = export_fit(ride(np.arange(0.0, 1500.0)), sport="ride", started_at=START)
    activity = parse_activity(data[: len(data) * 9 // 10], "long.fit")
    assert f"the {len(activity):,} records" in activity.warnings[0]
    assert len(activity) >= 1000


def test_duration_comes_from_records_and_timer_not_the_time_the_session_was_saved() -> None:
    # given a watch file: 61 records a second apart, timer start and stop with the first and last,
    # and a session message saved 93 s after the start
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.time_created = round(T0) * 1000
    builder.add(file_id)
    for offset, kind in ((0, EventType.START), (60, EventType.STOP_ALL)):
        event = EventMessage()
        event.event = Event.TIMER
        event.event_type = kind
        event.timestamp = round(T0 + offset) * 1000
        builder.add(event)
    for offset in range(61):
        record = RecordMessage()
        record.timestamp = round(T0 + offset) * 1000
        record.heart_rate = 120
        builder.add(record)
    session = SessionMessage()
    session.start_time = round(T0) * 1000
    session.timestamp = round(T0 + 93) * 1000
    session.total_elapsed_time = 60.4
    session.total_timer_time = 60.4
    builder.add(session)
    # when it is imported
    activity = parse_activity(builder.build().to_bytes(), "watch.fit")
    # then it lasted 60 s, as the device's timer says, not 93 s
    assert activity.duration_s == activity.timer_s == 60.0
    assert activity.ended_at == START + timedelta(seconds=60)
