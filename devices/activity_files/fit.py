"""FIT activities: read with fitdecode, written with fit-tool."""

from __future__ import annotations

import io
import itertools
import math
import struct
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
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
    timer_pauses,
    to_float,
)

SEMICIRCLE_DEG = 180.0 / 2**31
FIT_SIGNATURE = b".FIT"
FIT_MAX_ELAPSED_MS = 2**32 - 1

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


def _stamp(value: Any) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else None


def parse_fit(data: bytes, filename: str) -> ParsedActivity:
    """Records, RR, timer events, laps and the session of an activity FIT file.

    A file damaged or cut off after some records keeps those records, with a warning saying so;
    one whose damage leaves nothing readable is refused. Messages never quote fitdecode.
    """
    records: list[dict[str, Any]] = []
    rr_pending: list[float] = []  # HRV before the first record belongs to that record
    rr: list[tuple[float, float]] = []
    timer_events: list[tuple[float, bool]] = []  # (t, running after it)
    lap_starts: list[float] = []
    sport_fields: dict[str, Any] = {}
    session: dict[str, Any] = {}
    file_type: Any = None
    last_t: float | None = None
    damage: str | None = None
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
                    stamp = _stamp(values.get("timestamp"))
                    if stamp is None:
                        continue
                    last_t = stamp
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
                elif name == "event":
                    event = _timer_event_of(frame)
                    if event is not None:
                        timer_events.append(event)
                elif name == "lap":
                    lap_start = _stamp(frame.get_value("start_time", fallback=None))
                    if lap_start is not None:
                        lap_starts.append(lap_start)
                elif name == "file_id" and file_type is None:
                    file_type = frame.get_value("type", fallback=None)
                elif name == "session" and not session:
                    session = {f.name: f.value for f in frame.fields}
                elif name == "sport" and not sport_fields:
                    sport_fields = {f.name: f.value for f in frame.fields}
    # A header size other than 12 or 14 makes fitdecode unpack a wrong-sized CRC (fuzzing).
    except (fitdecode.FitHeaderError, struct.error):
        if not records:
            raise ActivityFileInvalid(
                f"{filename} is not a valid FIT file: its header is corrupt."
            ) from None
        damage = "is damaged after that point"
    except fitdecode.FitEOFError:
        if not records:
            raise ActivityFileInvalid(
                f"{filename} is truncated: the FIT data ends before its declared length."
            ) from None
        damage = "ends early"
    except fitdecode.FitCRCError:
        # The checksum covers the whole file, so it cannot say which records are damaged.
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
    ):
        if not records:
            raise ActivityFileInvalid(
                f"{filename} is not a readable FIT file: its messages are inconsistent."
            ) from None
        damage = "is damaged after that point"

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
    timer_events.sort(key=lambda event: event[0])
    # The session's own timestamp is when it was saved, which can be minutes after the last
    # record; the activity ends with its last record or its last timer event.
    start = min(
        (t for t in (_stamp(session.get("start_time")), *(e[0] for e in timer_events[:1])) if t),
        default=None,
    )
    end = timer_events[-1][0] if timer_events else None
    warning = (
        [f"The file {damage}: the {len(records):,} records before that point were kept."]
        if damage
        else []
    )
    return assemble(
        fmt="fit",
        filename=filename,
        sport=sport,
        indoor=_indoor(sport_value, sub_sport),
        rows=rows,
        rr=rr,
        declared_start=datetime.fromtimestamp(start, tz=UTC) if start else None,
        declared_end=datetime.fromtimestamp(end, tz=UTC) if end else None,
        pauses=timer_pauses(timer_events),
        timer=bool(timer_events),
        laps=lap_starts,
        warnings=warning,
    )


def _timer_event_of(frame: Any) -> tuple[float, bool] | None:
    """(t, running afterwards) for a timer start/stop event, None for any other event."""
    if frame.get_value("event", fallback=None) != "timer":
        return None
    stamp = _stamp(frame.get_value("timestamp", fallback=None))
    kind = frame.get_value("event_type", fallback=None)
    if stamp is None or not isinstance(kind, str):
        return None
    if kind == "start":
        return stamp, True
    if kind.startswith("stop"):  # stop, stop_all, stop_disable, stop_disable_all
        return stamp, False
    return None


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
    ended_at: datetime | None = None,
    pauses: Sequence[tuple[float, float]] = (),
    laps: Sequence[float] = (),
) -> bytes:
    """An activity FIT file (file_id, timer events, records, HRV, laps, session, activity).

    ``pauses`` become timer stop/start events, ``laps`` (start times of the laps after the first)
    lap messages, and ``ended_at`` the session's end. Resolution is FIT's: time 1 s, speed
    1 mm/s, distance 1 cm, altitude 0.2 m, position one semicircle (about 1 cm), heart rate and
    power whole units, cadence 1/128 per leg, RR 1 ms.
    """
    get = as_columns(columns)
    t = get["t"]
    fit_sport, outdoor_sub, indoor_sub = _EXPORT_SPORT.get(sport, _EXPORT_SPORT["other"])
    if indoor and fit_sport is Sport.GENERIC:
        fit_sport = Sport.FITNESS_EQUIPMENT
    start_ms = round(started_at.timestamp()) * 1000
    end_ms = max(_ms(float(t[-1])), start_ms)
    if ended_at is not None:
        # FIT's elapsed time field holds at most 2^32 ms (49 days): a later end is left out.
        end_ms = max(end_ms, min(round(ended_at.timestamp()) * 1000, start_ms + FIT_MAX_ELAPSED_MS))
    stops = sorted((_ms(a), _ms(b)) for a, b in pauses if start_ms <= _ms(a) < _ms(b) <= end_ms)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)

    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1
    file_id.time_created = start_ms
    builder.add(file_id)
    builder.add(_timer_event(EventType.START, start_ms))

    # Timer events and records in time order; an event at a record's time goes before it.
    events = [(a, EventType.STOP_ALL) for a, _ in stops] + [(b, EventType.START) for _, b in stops]
    events.sort(key=lambda event: event[0])
    next_event = 0
    rr_by_t = rr_by_sample(t, rr, rr_t)
    for i, when in enumerate(t.tolist()):
        while next_event < len(events) and events[next_event][0] <= _ms(when):
            builder.add(_timer_event(events[next_event][1], events[next_event][0]))
            next_event += 1
        builder.add(_record(get, i, when, sport))
        intervals = rr_by_t.get(when, [])
        # An hrv message carries at most five intervals, in seconds.
        for offset in range(0, len(intervals), 5):
            hrv = HrvMessage()
            hrv.time = [ms / 1000.0 for ms in intervals[offset : offset + 5]]
            builder.add(hrv)
    for when_ms, kind in events[next_event:]:
        builder.add(_timer_event(kind, when_ms))

    builder.add(_timer_event(EventType.STOP_ALL, end_ms))
    lap_bounds = [start_ms, *sorted({_ms(x) for x in laps if start_ms < _ms(x) < end_ms}), end_ms]
    for lap_start, lap_end in itertools.pairwise(lap_bounds):
        lap = LapMessage()
        lap.timestamp = lap_end
        lap.start_time = lap_start
        lap.total_elapsed_time = (lap_end - lap_start) / 1000.0
        lap.total_timer_time = _timer_s(lap_start, lap_end, stops)
        lap.sport = fit_sport
        lap_distance = _distance_between(t, get["distance"], lap_start / 1000.0, lap_end / 1000.0)
        if lap_distance is not None:
            lap.total_distance = lap_distance
        builder.add(lap)
    elapsed = (end_ms - start_ms) / 1000.0
    timer_s = _timer_s(start_ms, end_ms, stops)
    total_distance = _distance_between(t, get["distance"], start_ms / 1000.0, end_ms / 1000.0)
    session = SessionMessage()
    session.timestamp = end_ms
    session.start_time = start_ms
    session.total_elapsed_time = elapsed
    session.total_timer_time = timer_s
    session.sport = fit_sport
    session.sub_sport = indoor_sub if indoor else outdoor_sub
    session.first_lap_index = 0
    session.num_laps = len(lap_bounds) - 1
    if total_distance is not None:
        session.total_distance = total_distance
    builder.add(session)
    activity = ActivityMessage()
    activity.timestamp = end_ms
    activity.total_timer_time = timer_s
    activity.num_sessions = 1
    builder.add(activity)
    return bytes(builder.build().to_bytes())


def _record(get: dict[str, np.ndarray], i: int, when: float, sport: str) -> RecordMessage:
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
    return record


def _timer_s(start_ms: int, end_ms: int, stops: Sequence[tuple[int, int]]) -> float:
    paused = sum(max(0, min(b, end_ms) - max(a, start_ms)) for a, b in stops)
    return (end_ms - start_ms - paused) / 1000.0


def _distance_between(
    t: np.ndarray, distance: np.ndarray, start: float, end: float
) -> float | None:
    """What the distance counter advanced from ``start`` to ``end`` (None without a counter)."""
    inside = (t >= start) & (t <= end) & np.isfinite(distance)
    if not inside.any():
        return None
    counted = distance[inside]
    before = distance[(t < start) & np.isfinite(distance)]
    base = float(before[-1]) if len(before) else float(counted[0])
    return max(float(counted[-1]) - base, 0.0) if start > t[0] else float(counted[-1])


def _timer_event(event_type: EventType, timestamp_ms: int) -> EventMessage:
    event = EventMessage()
    event.event = Event.TIMER
    event.event_type = event_type
    event.timestamp = timestamp_ms
    return event
