"""devices.activity_files: FIT/GPX/TCX import and FIT/GPX/CSV export, a Django-free module.

Shared device files are read in place from ``../shared/data`` (``shared_data`` fixture); the rest of
the files are made here with the module's own writers (or, for TCX which we do not write, inline).
"""

from __future__ import annotations

import ast
import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import FileType, Manufacturer, Sport, SubSport
from fit_tool.utils.crc import crc16 as fit_crc16
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import activity_files
from devices.activity_files import (
    SAMPLE_KEYS,
    ActivityFileInvalid,
    ParsedActivity,
    export_activity,
    export_csv,
    export_fit,
    export_gpx,
    parse_activity,
)
from devices.activity_files.fit import parse_fit
from wellness.core.errors import ValidationFailed

T0 = 1_714_557_600.0  # 2024-05-01T10:00:00Z
START = datetime.fromtimestamp(T0, tz=UTC)
SEMICIRCLE_DEG = 180.0 / 2**31
NAN = math.nan


def columns(n: int = 60, *, gps: bool = True, **overrides: np.ndarray) -> dict[str, np.ndarray]:
    """``n`` one-second samples with values already on FIT's grid (see export_fit's docstring)."""
    i = np.arange(n, dtype=np.float64)
    cols = {
        "t": T0 + i,
        "hr": 120.0 + (i % 40),
        "cadence": 160.0 + (i % 21),
        "speed": np.round(3.0 + 0.013 * i, 3),
        "distance": np.round(3.1 * i, 2),
        "power": 200.0 + (i % 50),
        "altitude": 300.0 + 0.2 * (i % 30),
        "lat": 46.05 + 1e-5 * i if gps else np.full(n, NAN),
        "lon": 14.5 + 2e-5 * i if gps else np.full(n, NAN),
    }
    cols.update(overrides)
    return cols


# --- Shared device files -------------------------------------------------------------------------
def _record_dump(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _dump_time(text: str) -> float:
    # The dumps print local time in California ("Mon Jun 12 09:10:15 PDT 2017"); PDT is UTC-7.
    stamp = text.replace(" PDT ", " -0700 ")
    return datetime.strptime(stamp, "%a %b %d %H:%M:%S %z %Y").timestamp()


@pytest.mark.parametrize(
    ("name", "sport"), [("garmin-edge-820-bike", "ride"), ("garmin-fenix-5-run", "run")]
)
def test_shared_fit_imports_match_their_record_dumps(
    shared_data: Path, name: str, sport: str
) -> None:
    # given a real device file and its record dump
    dump = _record_dump(shared_data / "fit" / f"{name}-records.csv")
    # when it is imported
    activity = parse_activity((shared_data / "fit" / f"{name}.fit").read_bytes(), f"{name}.fit")
    # then every record is there with the same time, heart rate, distance, speed and position
    cols = activity.columns
    assert len(activity) == len(dump)
    assert cols["t"].tolist() == [_dump_time(row["timestamp"]) for row in dump]
    assert cols["hr"].tolist() == [float(row["heart_rate"]) for row in dump]
    assert cols["distance"].tolist() == pytest.approx([float(row["distance"]) for row in dump])
    assert cols["speed"].tolist() == pytest.approx([float(row["speed"]) for row in dump])
    assert cols["altitude"].tolist() == pytest.approx([float(row["altitude"]) for row in dump])
    assert cols["lat"].tolist() == pytest.approx(
        [int(row["position_lat"]) * SEMICIRCLE_DEG for row in dump]
    )
    assert cols["lon"].tolist() == pytest.approx(
        [int(row["position_long"]) * SEMICIRCLE_DEG for row in dump]
    )
    assert activity.sport == sport
    assert activity.indoor is False
    assert np.isnan(cols["power"]).all()


def test_shared_ride_cadence_is_rpm_and_run_cadence_is_steps_per_minute(shared_data: Path) -> None:
    # given the dumps, whose cadence is per leg (FIT's "rpm") for both files
    ride_dump = _record_dump(shared_data / "fit" / "garmin-edge-820-bike-records.csv")
    run_dump = _record_dump(shared_data / "fit" / "garmin-fenix-5-run-records.csv")
    # when both files are imported
    ride = parse_activity((shared_data / "fit" / "garmin-edge-820-bike.fit").read_bytes(), "b.fit")
    run = parse_activity((shared_data / "fit" / "garmin-fenix-5-run.fit").read_bytes(), "r.fit")
    # then ride cadence is unchanged and run cadence counts both legs (plus FIT's fraction)
    assert ride.columns["cadence"].tolist() == [float(r["cadence"]) for r in ride_dump]
    assert (np.floor(run.columns["cadence"] / 2)).tolist() == [
        float(r["cadence"]) for r in run_dump
    ]


def test_shared_fit_rr_intervals_come_from_hrv_messages(shared_data: Path) -> None:
    # when the Edge 820 ride (66 hrv messages) is imported
    ride = parse_activity((shared_data / "fit" / "garmin-edge-820-bike.fit").read_bytes(), "b.fit")
    # then its RR intervals are in ms, each attached to a sample time at or before it
    assert len(ride.rr) == 126
    assert ride.rr[:2].tolist() == pytest.approx([594.0, 588.0])
    assert set(ride.rr_t.tolist()) <= set(ride.columns["t"].tolist())
    assert (np.diff(ride.rr_t) >= 0).all()
    assert float(ride.rr.min()) > 300.0
    assert float(ride.rr.max()) < 2000.0


def test_shared_indoor_trainer_fit_without_gps_imports_as_indoor_ride(shared_data: Path) -> None:
    # when the trainer file (no position in any record) is imported
    path = shared_data / "fit" / "sample-activity-indoor-trainer.fit"
    activity = parse_activity(path.read_bytes(), path.name)
    # then it is an indoor ride with power and heart rate but no position
    assert activity.sport == "ride"
    assert activity.indoor is True
    assert len(activity) == 2263
    assert np.isnan(activity.columns["lat"]).all()
    assert int(np.isfinite(activity.columns["power"]).sum()) == 2222
    assert activity.started_at == datetime(2011, 11, 2, 12, 54, 19, tzinfo=UTC)
    # it ends with its last record and timer stop, not when the session was saved (13:32:51)
    assert activity.ended_at == datetime(2011, 11, 2, 13, 32, 2, tzinfo=UTC)
    assert (activity.timer, activity.pauses, len(activity.laps)) == (True, (), 4)


def test_shared_sdk_activity_fit_imports_as_outdoor_run(shared_data: Path) -> None:
    activity = parse_activity((shared_data / "fit" / "Activity.fit").read_bytes(), "Activity.fit")
    assert (activity.sport, activity.indoor, len(activity)) == ("run", False, 14)
    assert np.isnan(activity.columns["hr"]).all()


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        (
            "activity-settings-corruptheader.fit",
            "The file is damaged after that point: the 14 records before that point were kept.",
        ),
        (
            "activity-unexpected-eof.fit",
            "The file ends early: the 14 records before that point were kept.",
        ),
    ],
)
def test_damaged_shared_fit_files_keep_the_records_before_the_damage_with_a_warning(
    shared_data: Path, name: str, warning: str
) -> None:
    # given two files of the FIT SDK's Activity.fit, one cut short, one with a chained file's
    # broken header after it
    whole = parse_activity((shared_data / "fit" / "Activity.fit").read_bytes(), "Activity.fit")
    # when they are imported
    activity = parse_activity((shared_data / "fit" / name).read_bytes(), name)
    # then the records read before the damage are kept, and the summary says so
    assert len(activity) == len(whole) == 14
    np.testing.assert_array_equal(activity.columns["t"], whole.columns["t"])
    assert activity.warnings == (warning,)
    assert activity.summary()["warnings"] == [warning]
    assert "fitdecode" not in warning
    assert "@" not in warning


def test_shared_gpx_with_an_empty_segment_imports_the_points_it_has(shared_data: Path) -> None:
    path = shared_data / "gpx" / "track-with-empty-segment.gpx"
    activity = parse_activity(path.read_bytes(), path.name)
    assert len(activity) == 9
    assert activity.started_at == datetime(2013, 7, 6, 17, 26, 26, tzinfo=UTC)
    assert activity.ended_at == datetime(2013, 7, 6, 17, 27, 42, tzinfo=UTC)
    assert activity.columns["lat"][0] == 50.7772126
    assert activity.columns["altitude"][0] == 191.5999756
    assert (activity.sport, activity.indoor) == ("other", False)


def test_shared_route_only_gpx_is_refused_because_a_route_is_not_a_recording(
    shared_data: Path,
) -> None:
    # A route is a plan: its points carry no times, so there is no workout to store.
    path = shared_data / "gpx" / "route.gpx"
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(path.read_bytes(), path.name)
    assert caught.value.message == (
        "route.gpx holds a route without timestamps, not a recorded activity, so there is "
        "nothing to import as a workout."
    )


def test_shared_gpx_of_a_single_waypoint_is_refused_as_not_an_activity(shared_data: Path) -> None:
    # given Runkeeper's export of one timed waypoint carrying a TrackPointExtension heart rate
    path = shared_data / "gpx" / "gpx_with_garmin_extension.gpx"
    # when it is imported, then it is refused: a waypoint is a place, not a recording
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(path.read_bytes(), path.name)
    assert caught.value.message == (
        "gpx_with_garmin_extension.gpx holds only waypoints, places rather than a recorded "
        "activity, so there is nothing to import as a workout."
    )


def test_gpx_heart_rate_comes_from_the_garmin_track_point_extension(shared_data: Path) -> None:
    # given the shared file's waypoint written as a two-point track
    text = (shared_data / "gpx" / "gpx_with_garmin_extension.gpx").read_text()
    point = text[text.index("<wpt") : text.index("</wpt>")].replace("<wpt", "<trkpt")
    later = point.replace("23:41:03Z", "23:41:04Z")
    data = text.replace(
        text[text.index("<wpt") : text.index("</wpt>") + len("</wpt>")],
        f"<trk><trkseg>{point}</trkpt>{later}</trkpt></trkseg></trk>",
    ).encode()
    activity = parse_activity(data, "track.gpx")
    assert activity.samples()[0] == {
        "t": datetime(2016, 6, 17, 23, 41, 3, tzinfo=UTC).timestamp(),
        "hr": 171.0,
        "altitude": 3.4,
        "lat": 37.778259,
        "lon": -122.391386,
    }


def test_shared_gpx_with_an_unset_clock_is_refused(shared_data: Path) -> None:
    path = shared_data / "gpx" / "Mojstrovka.gpx"
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(path.read_bytes(), path.name)
    assert caught.value.message == (
        "Mojstrovka.gpx has timestamps from 1901-12-13, before any real recording (the device's "
        "clock was not set), so it cannot be imported."
    )


def test_shared_gpx_track_points_without_time_are_left_out(shared_data: Path) -> None:
    # korita-zbevnica.gpx: 871 track points, of which the 358 of track "03-OCT-10 #2" have no <time>
    path = shared_data / "gpx" / "korita-zbevnica.gpx"
    activity = parse_activity(path.read_bytes(), path.name)
    assert len(activity) == 513
    assert activity.started_at == datetime(2010, 10, 3, 9, 36, 30, tzinfo=UTC)


# --- Round trips through the writers --------------------------------------------------------------
def test_a_fit_header_of_an_odd_size_is_refused_as_corrupt() -> None:
    # Found by `python -m fuzz activity`: fitdecode unpacked the wrong-sized header CRC.
    data = bytes([16, 0x10, 0, 0]) + (0).to_bytes(4, "little") + b".FIT" + bytes(4)

    with pytest.raises(ActivityFileInvalid, match=r"^x\.fit is not a valid FIT file: its header"):
        parse_fit(data, "x.fit")
    with pytest.raises(ActivityFileInvalid, match="header is corrupt"):
        parse_activity(data, "x.fit")


def test_fit_round_trip_keeps_samples_within_fit_resolution() -> None:
    # given an outdoor run with RR intervals on two samples
    cols = columns()
    rr = np.array([812.0, 790.0, 803.0, 799.0, 801.0, 805.0, 640.0])
    rr_t = np.array([T0, T0, T0, T0, T0, T0, T0 + 7])
    # when it is exported as FIT and imported back
    back = parse_activity(
        export_fit(cols, sport="run", started_at=START, rr=rr, rr_t=rr_t), "x.fit"
    )
    # then: time 1 s, speed 1 mm/s, distance 1 cm, altitude 0.2 m, position one semicircle
    assert (back.format, back.sport, back.indoor) == ("fit", "run", False)
    for key in ("t", "hr", "cadence", "power"):
        assert back.columns[key].tolist() == cols[key].tolist(), key
    np.testing.assert_allclose(back.columns["speed"], cols["speed"], atol=1e-3)
    np.testing.assert_allclose(back.columns["distance"], cols["distance"], atol=1e-2)
    np.testing.assert_allclose(back.columns["altitude"], cols["altitude"], atol=0.2)
    np.testing.assert_allclose(back.columns["lat"], cols["lat"], atol=SEMICIRCLE_DEG)
    np.testing.assert_allclose(back.columns["lon"], cols["lon"], atol=SEMICIRCLE_DEG)
    assert back.rr.tolist() == rr.tolist()
    assert back.rr_t.tolist() == rr_t.tolist()
    assert back.started_at == START
    assert back.ended_at == START + timedelta(seconds=59)


def test_fit_round_trip_of_an_indoor_ride_without_gps_stays_indoor() -> None:
    cols = columns(30, gps=False)
    back = parse_activity(export_fit(cols, sport="ride", started_at=START, indoor=True), "x.fit")
    assert (back.sport, back.indoor) == ("ride", True)
    assert np.isnan(back.columns["lat"]).all()
    assert back.columns["power"].tolist() == cols["power"].tolist()


def test_fit_round_trip_of_a_yoga_session_with_heart_rate_only() -> None:
    nan = np.full(10, NAN)
    cols = {k: nan for k in SAMPLE_KEYS} | {"t": T0 + np.arange(10.0), "hr": np.full(10, 72.0)}
    back = parse_activity(export_fit(cols, sport="yoga", started_at=START), "x.fit")
    assert (back.sport, back.indoor) == ("yoga", True)
    assert back.samples()[0] == {"t": T0, "hr": 72.0}


@pytest.mark.parametrize("sport", ["run", "ride", "walk", "yoga", "other"])
@pytest.mark.parametrize("indoor", [True, False])
def test_fit_round_trip_keeps_every_sport_and_the_indoor_flag(sport: str, indoor: bool) -> None:
    # An indoor session with GPS (a treadmill run logged by a watch) stays indoor because the
    # session's sub-sport says so; yoga is always written with the indoor yoga sub-sport.
    back = parse_activity(
        export_fit(columns(3), sport=sport, started_at=START, indoor=indoor), "x.fit"
    )
    assert back.sport == sport
    assert back.indoor is (indoor or sport == "yoga")


def test_gym_treadmill_fit_imports_as_an_indoor_run() -> None:
    # given a gym file: sport "fitness_equipment", the machine in the sub-sport
    builder = FitFileBuilder(auto_define=True)
    record = RecordMessage()
    record.timestamp = round(T0) * 1000
    record.heart_rate = 140
    builder.add(record)
    second = RecordMessage()
    second.timestamp = round(T0 + 1) * 1000
    second.heart_rate = 141
    builder.add(second)
    session = SessionMessage()
    session.timestamp = round(T0) * 1000
    session.start_time = round(T0) * 1000
    session.sport = Sport.FITNESS_EQUIPMENT
    session.sub_sport = SubSport.TREADMILL
    builder.add(session)
    activity = parse_activity(builder.build().to_bytes(), "gym.fit")
    assert (activity.sport, activity.indoor) == ("run", True)


def test_fit_with_only_the_plain_speed_and_altitude_fields_is_read() -> None:
    # given records written the pre-"enhanced" way, as older devices do
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.time_created = round(T0) * 1000
    builder.add(file_id)
    record = RecordMessage()
    record.timestamp = round(T0) * 1000
    record.speed = 4.25
    record.altitude = 120.4
    record.position_lat = 46.05
    record.position_long = 14.5
    builder.add(record)
    second = RecordMessage()
    second.timestamp = round(T0 + 1) * 1000
    second.speed = 4.5
    second.altitude = 121.0
    builder.add(second)
    # when it is imported
    activity = parse_activity(builder.build().to_bytes(), "old.fit")
    # then speed and altitude come from the plain fields (altitude at FIT's 0.2 m grid)
    assert activity.columns["speed"].tolist() == [4.25, 4.5]
    assert activity.columns["altitude"].tolist() == pytest.approx([120.4, 121.0])
    assert activity.columns["lat"].tolist()[0] == pytest.approx(46.05, abs=SEMICIRCLE_DEG)
    assert (activity.sport, activity.indoor) == ("other", False)


def test_gpx_round_trip_keeps_time_position_elevation_heart_rate_and_cadence() -> None:
    # given a run; GPX has no field for speed, distance, power or RR
    cols = columns()
    # when it is exported as GPX and imported back
    back = parse_activity(export_gpx(cols, sport="run", started_at=START), "x.gpx")
    # then times, positions, elevation and heart rate are exact; cadence is written per leg as
    # a whole number, so running cadence comes back to within 1 step/min
    assert (back.format, back.sport, back.indoor) == ("gpx", "run", False)
    for key in ("t", "lat", "lon", "altitude", "hr"):
        assert back.columns[key].tolist() == cols[key].tolist(), key
    np.testing.assert_allclose(back.columns["cadence"], cols["cadence"], atol=1.0)
    for key in ("speed", "distance", "power"):
        assert np.isnan(back.columns[key]).all(), key


def test_gpx_round_trip_keeps_sub_second_times_and_ride_cadence_exactly() -> None:
    cols = columns(5, t=T0 + np.array([0.0, 0.5, 1.25, 2.0, 3.75]))
    back = parse_activity(export_gpx(cols, sport="ride", started_at=START), "x.gpx")
    assert back.columns["t"].tolist() == cols["t"].tolist()
    assert back.columns["cadence"].tolist() == cols["cadence"].tolist()
    assert back.sport == "ride"


def test_gpx_export_of_a_workout_without_positions_is_refused() -> None:
    with pytest.raises(ActivityFileInvalid) as caught:
        export_gpx(columns(5, gps=False), sport="ride", started_at=START)
    assert caught.value.message == (
        "This workout has no GPS positions, and GPX cannot hold points without one: "
        "export it as FIT or CSV instead."
    )


def test_csv_export_has_a_header_of_the_shared_keys_and_round_trips_exactly() -> None:
    cols = columns(20, hr=np.where(np.arange(20) % 3 == 0, NAN, 130.0))
    rr = np.array([801.5, 799.0, 640.25])
    rr_t = np.array([T0 + 1, T0 + 1, T0 + 2])
    data = export_csv(cols, sport="run", started_at=START, rr=rr, rr_t=rr_t)
    lines = data.decode().splitlines()
    assert lines[0] == "t,hr,rr,cadence,speed,distance,power,altitude,lat,lon,sport"
    assert lines[2].startswith(f"{int(T0) + 1},130,801.5 799,")
    assert lines[2].endswith(",run")
    back = parse_activity(data, "x.csv")
    for key in SAMPLE_KEYS:
        np.testing.assert_array_equal(back.columns[key], cols[key])
    assert back.rr.tolist() == rr.tolist()
    assert back.rr_t.tolist() == rr_t.tolist()
    assert (back.format, back.sport) == ("csv", "run")


# --- TCX (read only; written inline) --------------------------------------------------------------
def tcx(sport: str, trackpoints: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
 <Activities><Activity Sport="{sport}"><Id>2024-05-01T10:00:00Z</Id>
  <Lap StartTime="2024-05-01T10:00:00Z"><TotalTimeSeconds>2</TotalTimeSeconds>
   <DistanceMeters>10</DistanceMeters><Calories>1</Calories><Intensity>Active</Intensity>
   <TriggerMethod>Manual</TriggerMethod><Track>{trackpoints}</Track></Lap>
 </Activity></Activities>
</TrainingCenterDatabase>""".encode()


def test_tcx_indoor_ride_yields_heart_rate_cadence_speed_power_and_distance() -> None:
    data = tcx(
        "Biking",
        """<Trackpoint><Time>2024-05-01T10:00:00Z</Time><DistanceMeters>0</DistanceMeters>
        <HeartRateBpm><Value>120</Value></HeartRateBpm><Cadence>80</Cadence><Extensions>
        <ns3:TPX><ns3:Speed>5.5</ns3:Speed><ns3:Watts>200</ns3:Watts></ns3:TPX></Extensions>
        </Trackpoint>
        <Trackpoint><Time>2024-05-01T10:00:01.500Z</Time><DistanceMeters>5.5</DistanceMeters>
        <HeartRateBpm><Value>121</Value></HeartRateBpm><Cadence>81</Cadence><Extensions>
        <ns3:TPX><ns3:Speed>5.6</ns3:Speed><ns3:Watts>210</ns3:Watts></ns3:TPX></Extensions>
        </Trackpoint>""",
    )
    activity = parse_activity(data, "ride.tcx")
    assert (activity.format, activity.sport, activity.indoor) == ("tcx", "ride", True)
    assert activity.samples() == [
        {"t": T0, "hr": 120.0, "cadence": 80.0, "speed": 5.5, "distance": 0.0, "power": 200.0},
        {"t": T0 + 1.5, "hr": 121.0, "cadence": 81.0, "speed": 5.6, "distance": 5.5,
         "power": 210.0},
    ]  # fmt: skip


def test_tcx_run_with_positions_is_outdoor_and_run_cadence_counts_steps() -> None:
    data = tcx(
        "Running",
        """<Trackpoint><Time>2024-05-01T12:00:00+02:00</Time><Position>
        <LatitudeDegrees>46.05</LatitudeDegrees><LongitudeDegrees>14.5</LongitudeDegrees>
        </Position><AltitudeMeters>300.5</AltitudeMeters><Extensions><ns3:TPX>
        <ns3:RunCadence>86</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>
        <Trackpoint><Time>2024-05-01T12:00:01+02:00</Time><Extensions><ns3:TPX>
        <ns3:RunCadence>87</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>""",
    )
    activity = parse_activity(data, "run.tcx")
    assert (activity.sport, activity.indoor) == ("run", False)
    assert activity.samples() == [
        {"t": T0, "cadence": 172.0, "altitude": 300.5, "lat": 46.05, "lon": 14.5},
        {"t": T0 + 1, "cadence": 174.0},
    ]


def test_tcx_without_trackpoints_is_refused() -> None:
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(tcx("Running", ""), "empty.tcx")
    assert caught.value.message == (
        "empty.tcx holds no timed samples, so there is no recorded activity to import."
    )


# --- Format sniffing and refusals -----------------------------------------------------------------
def test_format_is_sniffed_from_the_content_not_the_extension() -> None:
    fit = export_fit(columns(3), sport="ride", started_at=START)
    gpx = export_gpx(columns(3), sport="ride", started_at=START)
    assert parse_activity(fit, "misnamed.gpx").format == "fit"
    assert parse_activity(gpx, "misnamed.fit").format == "gpx"
    assert parse_activity(tcx("Other", _tcx_point()), "misnamed.csv").format == "tcx"


def _tcx_point() -> str:
    return (
        "<Trackpoint><Time>2024-05-01T10:00:00Z</Time></Trackpoint>"
        "<Trackpoint><Time>2024-05-01T10:00:01Z</Time></Trackpoint>"
    )


def test_truncated_fit_keeps_the_records_before_the_cut_with_a_warning() -> None:
    # given a 60-record file cut in the middle
    data = export_fit(columns(), sport="run", started_at=START)
    # when it is imported
    activity = parse_activity(data[: len(data) // 2], "cut.fit")
    # then the records before the cut are kept, and the warning counts them
    kept = len(activity)
    assert 10 < kept < 60
    np.testing.assert_array_equal(activity.columns["t"], columns()["t"][:kept])
    assert activity.warnings == (
        f"The file ends early: the {kept} records before that point were kept.",
    )


def test_truncated_fit_without_a_whole_record_is_refused() -> None:
    data = export_fit(columns(), sport="run", started_at=START)
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(data[:40], "cut.fit")
    assert caught.value.message == (
        "cut.fit is truncated: the FIT data ends before its declared length."
    )


def test_fit_with_a_flipped_byte_is_refused_by_its_checksum() -> None:
    data = bytearray(export_fit(columns(), sport="run", started_at=START))
    data[len(data) // 2] ^= 0x01
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(bytes(data), "flipped.fit")
    assert caught.value.message == (
        "flipped.fit is corrupt: its FIT checksum does not match its content."
    )


def test_fit_that_is_not_an_activity_is_refused() -> None:
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.SETTINGS
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.time_created = round(T0) * 1000
    builder.add(file_id)
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(builder.build().to_bytes(), "settings.fit")
    assert caught.value.message == (
        "settings.fit is a FIT 'settings' file, not a recorded activity, so it cannot be "
        "imported as a workout."
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.fit", "empty.fit is empty."),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(64),
            "photo.fit",
            "photo.fit is not a valid FIT file: its header is missing.",
        ),
        (
            b"Dear diary, today I ran.",
            "notes.txt",
            "notes.txt is not an activity file Wellverse can read (FIT, GPX, TCX or its own CSV).",
        ),
        (
            b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg><trkpt lat="1"',
            "cut.gpx",
            "cut.gpx is not a readable GPX file (Error parsing XML: unclosed token: line 1, "
            "column 53).",
        ),
        (
            b"<TrainingCenterDatabase><Activities><Activity>",
            "cut.tcx",
            "cut.tcx is not readable TCX (XML error: no element found: line 1, column 46).",
        ),
        (
            b"t,hr,heart\n1714557600,120,1\n",
            "odd.csv",
            "odd.csv has columns heart that are not sample keys (expected a header of "
            "t,hr,rr,cadence,speed,distance,power,altitude,lat,lon,sport).",
        ),
    ],
)
def test_unreadable_files_are_refused_with_one_sentence(
    data: bytes, name: str, message: str
) -> None:
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(data, name)
    assert caught.value.message == message


def test_timestamps_after_2100_are_refused() -> None:
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(b"t,hr\n1714557600,120\n99999999999,121\n", "future.csv")
    assert caught.value.message == (
        "future.csv has timestamps after 2100, which no recording can have, so it is corrupt."
    )


def test_xml_declaring_an_unknown_encoding_is_refused() -> None:
    data = tcx("Running", _tcx_point()).replace(b'encoding="UTF-8"', b'encoding="UTF-42"')
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(data, "odd.tcx")
    assert caught.value.message == (
        "odd.tcx is not readable TCX (XML error: unknown encoding: UTF-42)."
    )


def test_an_unforeseen_parser_failure_becomes_the_one_error_and_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a GPX parser that fails in a way no mapping foresaw
    def broken(data: bytes, filename: str) -> ParsedActivity:
        raise RuntimeError("surprise")

    monkeypatch.setitem(activity_files._PARSERS, "gpx", broken)
    # when a GPX file is parsed
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(export_gpx(columns(2), sport="run", started_at=START), "x.gpx")
    # then the person gets a sentence and the operators get the traceback
    assert caught.value.message == (
        "x.gpx could not be read as GPX: it is damaged or uses a variant Wellverse does not "
        "understand."
    )
    assert [r.getMessage() for r in caplog.records] == ["unexpected error parsing x.gpx as gpx"]
    assert caplog.records[0].exc_info is not None


def gpx(points: str) -> bytes:
    return (
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def test_gpx_with_a_position_off_the_globe_is_refused() -> None:
    data = gpx('<trkpt lat="95" lon="1"><time>2024-05-01T10:00:00Z</time></trkpt>')
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(data, "odd.gpx")
    assert caught.value.message == (
        "odd.gpx has positions outside the globe (lat beyond ±90°), so it is corrupt."
    )


def test_gpx_with_a_non_numeric_coordinate_is_refused() -> None:
    data = gpx('<trkpt lat="north" lon="1"><time>2024-05-01T10:00:00Z</time></trkpt>')
    with pytest.raises(ActivityFileInvalid) as caught:
        parse_activity(data, "odd.gpx")
    assert caught.value.message.startswith("odd.gpx is not a readable GPX file (")


def test_gpx_with_a_utf8_byte_order_mark_is_read() -> None:
    data = b"\xef\xbb\xbf" + gpx(
        '<trkpt lat="1" lon="2"><time>2024-05-01T10:00:00Z</time></trkpt>'
        '<trkpt lat="1" lon="2.1"><time>2024-05-01T10:00:01Z</time></trkpt>'
    )
    assert parse_activity(data, "bom.gpx").samples() == [
        {"t": T0, "lat": 1.0, "lon": 2.0},
        {"t": T0 + 1, "lat": 1.0, "lon": 2.1},
    ]


def test_gpx_1_0_in_its_declared_latin1_encoding_keeps_a_zero_speed() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><gpx version="1.0" '
        'xmlns="http://www.topografix.com/GPX/1/0"><trk><name>Zbevnica \xe9t\xe9</name>'
        '<trkseg><trkpt lat="1" lon="2"><time>2024-05-01T10:00:00Z</time><speed>0</speed>'
        '</trkpt><trkpt lat="1" lon="2"><time>2024-05-01T10:00:01Z</time><speed>0</speed>'
        "</trkpt></trkseg></trk></gpx>"
    ).encode("latin-1")
    assert parse_activity(data, "latin1.gpx").samples() == [
        {"t": T0, "speed": 0.0, "lat": 1.0, "lon": 2.0},
        {"t": T0 + 1, "speed": 0.0, "lat": 1.0, "lon": 2.0},
    ]


def test_gpx_points_sharing_a_time_become_one_sample_with_the_later_values() -> None:
    data = gpx(
        '<trkpt lat="1" lon="2"><time>2024-05-01T10:00:00Z</time></trkpt>'
        '<trkpt lat="1.5" lon="2"><time>2024-05-01T10:00:00Z</time><extensions>'
        "<hr>99</hr></extensions></trkpt>"
        '<trkpt lat="1.5" lon="2"><time>2024-05-01T10:00:01Z</time></trkpt>'
    )
    assert parse_activity(data, "dup.gpx").samples()[0] == {
        "t": T0,
        "hr": 99.0,
        "lat": 1.5,
        "lon": 2.0,
    }


def test_the_error_is_a_validation_failure_in_the_shared_error_format() -> None:
    error = ActivityFileInvalid("x.fit is empty.")
    assert isinstance(error, ValidationFailed)
    assert (error.status_code, error.code) == (400, "invalid_activity_file")


def test_the_module_imports_no_django() -> None:
    package = Path(activity_files.__file__).parent
    imported = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert "django" not in imported
    assert "rest_framework" not in imported


# --- What storage, the API and the CLI use --------------------------------------------------------
def test_summary_reports_what_an_import_prints(shared_data: Path) -> None:
    path = shared_data / "fit" / "garmin-fenix-5-run.fit"
    activity = parse_activity(path.read_bytes(), path.name)
    dump = _record_dump(shared_data / "fit" / "garmin-fenix-5-run-records.csv")
    hr = [float(row["heart_rate"]) for row in dump]
    assert activity.summary() == {
        "format": "fit",
        "sport": "run",
        "indoor": False,
        "started_at": "2017-06-11T14:34:09+00:00",
        # the last record and timer stop, not the session's save time 18 s later
        "ended_at": "2017-06-11T14:35:06+00:00",
        "duration_s": 57.0,
        "timer_s": 57.0,
        "pauses": 0,
        "laps": 1,
        "samples": 21,
        "distance_m": 157.56,
        "avg_hr": round(sum(hr) / len(hr), 1),
        "rr_intervals": 113,
        "warnings": [],
    }


def test_summary_distance_of_a_gpx_track_is_the_length_of_its_positions() -> None:
    # given two points 0.001° of latitude apart (111.195 m on the mean-radius sphere)
    data = gpx(
        '<trkpt lat="46.000" lon="14"><time>2024-05-01T10:00:00Z</time></trkpt>'
        '<trkpt lat="46.001" lon="14"><time>2024-05-01T10:00:30Z</time></trkpt>'
    )
    summary = parse_activity(data, "walk.gpx").summary()
    assert summary["distance_m"] == 111.2
    assert summary["avg_hr"] is None
    assert summary["duration_s"] == 30.0


def test_to_frame_has_the_scoring_frame_columns() -> None:
    activity = parse_activity(export_csv(columns(4), sport="run", started_at=START), "x.csv")
    frame = activity.to_frame()
    assert list(frame.columns) == list(SAMPLE_KEYS)
    assert set(frame.dtypes.astype(str)) == {"float64"}
    assert frame["t"].tolist() == (T0 + np.arange(4.0)).tolist()


def test_writers_take_the_workout_frame_and_its_bare_rr_sequence() -> None:
    # given what storage hands out: a DataFrame (no power column here) and RR without times
    frame = pd.DataFrame({k: v for k, v in columns(5).items() if k != "power"})
    rr = np.array([500.0, 500.0, 1000.0, 1000.0])
    # when it is exported as FIT and imported back
    back = parse_activity(export_fit(frame, sport="run", started_at=START, rr=rr), "x.fit")
    # then the beats are laid end to end from the first sample: they end at +0.5, +1, +2, +3 s
    assert back.rr.tolist() == rr.tolist()
    assert back.rr_t.tolist() == [T0 + 1, T0 + 1, T0 + 2, T0 + 3]
    assert np.isnan(back.columns["power"]).all()


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("fit", "application/vnd.ant.fit", ".fit"),
        ("gpx", "application/gpx+xml", ".gpx"),
        ("csv", "text/csv; charset=utf-8", ".csv"),
    ],
)
def test_export_activity_names_the_content_type_and_reads_back(
    fmt: str, content_type: str, extension: str
) -> None:
    exported = export_activity(fmt, columns(3), sport="walk", started_at=START)
    assert (exported.content_type, exported.extension) == (content_type, extension)
    assert parse_activity(exported.data, f"x{extension}").format == fmt


def test_export_in_an_unknown_format_is_refused() -> None:
    with pytest.raises(ActivityFileInvalid) as caught:
        export_activity("tcx", columns(3), sport="walk", started_at=START)
    assert caught.value.message == "'tcx' is not an export format: choose one of fit, gpx, csv."


# --- Properties: any input ends in a sample set or in the one error -------------------------------
_FUZZ_RR = (np.array([800.0] * 12), T0 + np.repeat(np.arange(6.0), 2))
FUZZ_FIT = export_fit(columns(6), sport="run", started_at=START, rr=_FUZZ_RR[0], rr_t=_FUZZ_RR[1])
FUZZ_GPX = export_gpx(columns(6), sport="run", started_at=START)


def _outcome(data: bytes, name: str) -> ParsedActivity | ActivityFileInvalid:
    """The parse result or the refusal; any other exception escapes and fails the test."""
    try:
        return parse_activity(data, name)
    except ActivityFileInvalid as error:
        return error


def _with_valid_fit_crc(body: bytes) -> bytes:
    # Recompute the trailing CRC so mutated content reaches the decoder instead of the checksum.
    crc: int = fit_crc16(body)
    return body + crc.to_bytes(2, "little")


@settings(max_examples=150, deadline=None)
@given(
    position=st.integers(min_value=14, max_value=10_000),  # past the header, into the records
    value=st.integers(min_value=0, max_value=255),
)
def test_fit_with_any_byte_changed_and_a_recomputed_crc_parses_or_raises_the_one_error(
    position: int, value: int
) -> None:
    body = bytearray(FUZZ_FIT[:-2])
    body[position % len(body)] = value
    outcome = _outcome(_with_valid_fit_crc(bytes(body)), "fuzz.fit")
    if isinstance(outcome, ActivityFileInvalid):
        assert outcome.message.startswith("fuzz.fit ")
    else:
        assert len(outcome) >= 1
        assert (np.diff(outcome.columns["t"]) > 0).all()


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=4000), junk=st.binary(max_size=8))
def test_gpx_cut_anywhere_and_padded_with_junk_parses_or_raises_the_one_error(
    cut: int, junk: bytes
) -> None:
    outcome = _outcome(FUZZ_GPX[: cut % len(FUZZ_GPX)] + junk, "fuzz.gpx")
    if isinstance(outcome, ActivityFileInvalid):
        assert outcome.message.startswith("fuzz.gpx ")
    else:
        assert len(outcome) >= 1


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64)),
            st.one_of(st.none(), st.floats(min_value=-90, max_value=90)),
        ),
        min_size=2,
        max_size=30,
    )
)
def test_csv_round_trip_is_exact_for_any_finite_values(
    values: list[tuple[float | None, float | None]],
) -> None:
    n = len(values)
    hr = np.array([NAN if v is None else v for v, _ in values])
    lat = np.array([NAN if v is None else v for _, v in values])
    cols = columns(n, hr=hr, lat=lat, lon=np.where(np.isnan(lat), NAN, 14.0))
    back = parse_activity(export_csv(cols, sport="run", started_at=START), "x.csv")
    for key in SAMPLE_KEYS:
        np.testing.assert_array_equal(back.columns[key], cols[key])
