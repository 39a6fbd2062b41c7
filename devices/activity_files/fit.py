"""FIT activities: read with fitdecode, written with fit-tool."""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import fitdecode
import numpy as np
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.hrv_message import HrvMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    Manufacturer,
    Sport,
    SubSport,
)

from devices.activity_files._common import (
    STEP_SPORTS,
    ActivityFileInvalid,
    Columns,
    ParsedActivity,
    as_columns,
    assemble,
    rr_by_sample,
    to_float,
)

SEMICIRCLE_DEG = 180.0 / 2**31
FIT_SIGNATURE = b".FIT"

_SPORTS = {"running": "run", "cycling": "ride", "e_biking": "ride", "walking": "walk"}
_SPORTS_ALSO = {"hiking": "walk"}
_SUB_SPORTS = {
    "treadmill": "run", "indoor_running": "run", "indoor_cycling": "ride", "spin": "ride",
    "indoor_walking": "walk", "yoga": "yoga",
}  # fmt: skip
# Sub-sports that say where the activity happened; anything else falls back to "had GPS or not".
_INDOOR_SUB_SPORTS = {
    "treadmill", "indoor_cycling", "spin", "indoor_rowing", "virtual_activity", "indoor_running",
    "indoor_walking", "indoor_skiing", "indoor_climbing", "indoor_wheelchair_walk",
    "indoor_wheelchair_run", "indoor_hand_cycling", "yoga", "pilates", "cardio_training",
    "strength_training",
}  # fmt: skip
_OUTDOOR_SUB_SPORTS = {
    "street", "trail", "track", "road", "mountain", "downhill", "cyclocross", "gravel_cycling",
    "open_water", "commuting", "bike_to_run_transition", "run_to_bike_transition",
}  # fmt: skip
_EXPORT_SPORT = {
    "run": (Sport.RUNNING, SubSport.GENERIC, SubSport.TREADMILL),
    "ride": (Sport.CYCLING, SubSport.GENERIC, SubSport.INDOOR_CYCLING),
    "walk": (Sport.WALKING, SubSport.GENERIC, SubSport.INDOOR_WALKING),
    "yoga": (Sport.TRAINING, SubSport.YOGA, SubSport.YOGA),
    # FIT has no indoor sub-sport for "generic"; fitness equipment is its indoor catch-all.
    "other": (Sport.GENERIC, SubSport.GENERIC, SubSport.GENERIC),
}


def looks_like_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == FIT_SIGNATURE


def _sport(sport: Any, sub_sport: Any) -> str:
    # Gym files say "fitness_equipment" and put the machine in the sub-sport.
    if sub_sport in _SUB_SPORTS:
        return _SUB_SPORTS[sub_sport]
    if isinstance(sport, str):
        return _SPORTS.get(sport) or _SPORTS_ALSO.get(sport) or "other"
    return "other"


def _indoor(sport: Any, sub_sport: Any) -> bool | None:
    if sub_sport in _INDOOR_SUB_SPORTS or sport == "fitness_equipment":
        return True
    if sub_sport in _OUTDOOR_SUB_SPORTS:
        return False
    return None


def _first(values: Mapping[str, Any], *names: str) -> float:
    for name in names:
        number = to_float(values.get(name))
        if not math.isnan(number):
            return number
    return float("nan")


def parse_fit(data: bytes, filename: str) -> ParsedActivity:
    records: list[dict[str, Any]] = []
    rr_pending: list[float] = []  # HRV before the first record belongs to that record
    rr: list[tuple[float, float]] = []
    sport_fields: dict[str, Any] = {}
    session: dict[str, Any] = {}
    file_type: Any = None
    last_t: float | None = None
    try:
        with (
            warnings.catch_warnings(),
            fitdecode.FitReader(
                io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED, keep_raw_chunks=False
            ) as reader,
        ):
            # fitdecode warns about unknown fields and odd sizes in otherwise readable files;
            # nothing a person uploading the file could act on.
            warnings.simplefilter("ignore", UserWarning)
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                name = frame.name
                if name == "record":
                    values = {f.name: f.value for f in frame.fields}
                    stamp = values.get("timestamp")
                    if not isinstance(stamp, datetime):
                        continue
                    last_t = stamp.timestamp()
                    records.append({"t": last_t, **values})
                    rr.extend((last_t, ms) for ms in rr_pending)
                    rr_pending.clear()
                elif name == "hrv":
                    times = frame.get_value("time", fallback=None)
                    if not isinstance(times, tuple | list):
                        times = (times,)
                    for seconds in times:
                        ms = to_float(seconds) * 1000.0
                        if math.isnan(ms):
                            continue
                        if last_t is None:
                            rr_pending.append(ms)
                        else:
                            rr.append((last_t, ms))
                elif name == "file_id" and file_type is None:
                    file_type = frame.get_value("type", fallback=None)
                elif name == "session" and not session:
                    session = {f.name: f.value for f in frame.fields}
                elif name == "sport" and not sport_fields:
                    sport_fields = {f.name: f.value for f in frame.fields}
    except (
        fitdecode.FitHeaderError,
        # A header size other than 12 or 14 makes fitdecode unpack a wrong-sized CRC (fuzzing).
        struct.error,
    ):
        raise ActivityFileInvalid(
            f"{filename} is not a valid FIT file: its header is corrupt."
        ) from None
    except fitdecode.FitEOFError:
        raise ActivityFileInvalid(
            f"{filename} is truncated: the FIT data ends before its declared length."
        ) from None
    except fitdecode.FitCRCError:
        raise ActivityFileInvalid(
            f"{filename} is corrupt: its FIT checksum does not match its content."
        ) from None
    except (
        fitdecode.FitError,
        # fitdecode checks some chunk sizes with assert, and its profile lookups raise built-in
        # errors on definitions no real device writes.
        AssertionError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        OverflowError,
    ) as exc:
        raise ActivityFileInvalid(
            f"{filename} is not a readable FIT file ({exc or 'inconsistent record sizes'})."
        ) from None

    if file_type is not None and file_type != "activity":
        raise ActivityFileInvalid(
            f"{filename} is a FIT '{file_type}' file, not a recorded activity, so it cannot be "
            "imported as a workout."
        )
    sport_value = session.get("sport", sport_fields.get("sport"))
    sub_sport = session.get("sub_sport", sport_fields.get("sub_sport"))
    sport = _sport(sport_value, sub_sport)
    rows = []
    for values in records:
        cadence = _first(values, "cadence")
        if not math.isnan(cadence):
            fraction = to_float(values.get("fractional_cadence"))
            cadence += 0.0 if math.isnan(fraction) else fraction
            if sport in STEP_SPORTS:
                cadence *= 2.0
        rows.append(
            {
                "t": values["t"],
                "hr": _first(values, "heart_rate"),
                "cadence": cadence,
                "speed": _first(values, "enhanced_speed", "speed"),
                "distance": _first(values, "distance"),
                "power": _first(values, "power"),
                "altitude": _first(values, "enhanced_altitude", "altitude"),
                "lat": _first(values, "position_lat") * SEMICIRCLE_DEG,
                "lon": _first(values, "position_long") * SEMICIRCLE_DEG,
            }
        )
    start = session.get("start_time")
    end = session.get("timestamp")
    return assemble(
        fmt="fit",
        filename=filename,
        sport=sport,
        indoor=_indoor(sport_value, sub_sport),
        rows=rows,
        rr=rr,
        declared_start=start if isinstance(start, datetime) else None,
        declared_end=end if isinstance(end, datetime) else None,
    )


def _ms(t: float) -> int:
    # fit-tool takes milliseconds; FIT itself stores whole seconds.
    return round(t) * 1000


def export_fit(
    columns: Columns,
    *,
    sport: str,
    started_at: datetime,
    indoor: bool = False,
    rr: np.ndarray | None = None,
    rr_t: np.ndarray | None = None,
) -> bytes:
    """An activity FIT file (file_id, timer events, records, HRV, lap, session, activity).

    Resolution is FIT's: time 1 s, speed 1 mm/s, distance 1 cm, altitude 0.2 m, position one
    semicircle (about 1 cm), heart rate and power whole units, cadence 1/128 per leg, RR 1 ms.
    """
    get = as_columns(columns)
    t = get["t"]
    fit_sport, outdoor_sub, indoor_sub = _EXPORT_SPORT.get(sport, _EXPORT_SPORT["other"])
    if indoor and fit_sport is Sport.GENERIC:
        fit_sport = Sport.FITNESS_EQUIPMENT
    start_ms = round(started_at.timestamp()) * 1000
    end_ms = max(_ms(float(t[-1])), start_ms)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)

    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1
    file_id.time_created = start_ms
    builder.add(file_id)
    builder.add(_timer_event(EventType.START, start_ms))

    rr_by_t = rr_by_sample(t, rr, rr_t)
    for i, when in enumerate(t.tolist()):
        record = RecordMessage()
        record.timestamp = _ms(when)
        hr, cadence, power = (get[k][i] for k in ("hr", "cadence", "power"))
        if np.isfinite(hr):
            record.heart_rate = round(hr)
        if np.isfinite(cadence):
            per_leg = cadence / 2.0 if sport in STEP_SPORTS else cadence
            record.cadence = math.floor(per_leg)
            record.fractional_cadence = per_leg - math.floor(per_leg)
        if np.isfinite(power):
            record.power = round(power)
        for key, attribute in (
            ("speed", "enhanced_speed"),
            ("distance", "distance"),
            ("altitude", "enhanced_altitude"),
            ("lat", "position_lat"),
            ("lon", "position_long"),
        ):
            value = get[key][i]
            if np.isfinite(value):
                setattr(record, attribute, float(value))
        builder.add(record)
        intervals = rr_by_t.get(when, [])
        # An hrv message carries at most five intervals, in seconds.
        for offset in range(0, len(intervals), 5):
            hrv = HrvMessage()
            hrv.time = [ms / 1000.0 for ms in intervals[offset : offset + 5]]
            builder.add(hrv)

    builder.add(_timer_event(EventType.STOP_ALL, end_ms))
    elapsed = (end_ms - start_ms) / 1000.0
    distance = get["distance"][np.isfinite(get["distance"])]
    total_distance = float(distance[-1]) if len(distance) else None
    lap = LapMessage()
    lap.timestamp = end_ms
    lap.start_time = start_ms
    lap.total_elapsed_time = elapsed
    lap.total_timer_time = elapsed
    lap.sport = fit_sport
    if total_distance is not None:
        lap.total_distance = total_distance
    builder.add(lap)
    session = SessionMessage()
    session.timestamp = end_ms
    session.start_time = start_ms
    session.total_elapsed_time = elapsed
    session.total_timer_time = elapsed
    session.sport = fit_sport
    session.sub_sport = indoor_sub if indoor else outdoor_sub
    session.first_lap_index = 0
    session.num_laps = 1
    if total_distance is not None:
        session.total_distance = total_distance
    builder.add(session)
    activity = ActivityMessage()
    activity.timestamp = end_ms
    activity.total_timer_time = elapsed
    activity.num_sessions = 1
    builder.add(activity)
    return bytes(builder.build().to_bytes())


def _timer_event(event_type: EventType, timestamp_ms: int) -> EventMessage:
    event = EventMessage()
    event.event = Event.TIMER
    event.event_type = event_type
    event.timestamp = timestamp_ms
    return event
