"""GPX 1.0/1.1 activities with gpxpy; heart rate and cadence from Garmin's TrackPointExtension."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import gpxpy
import gpxpy.gpx
import numpy as np

from devices.activity_files._common import (
    STEP_SPORTS,
    ActivityFileInvalid,
    Columns,
    ParsedActivity,
    as_columns,
    assemble,
    localname,
    sport_from_text,
    text_float,
    to_float,
)

TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
# Extension element names seen in the wild (Garmin TrackPointExtension v1/v2, Strava, others).
_EXTENSION_KEYS = {
    "hr": "hr",
    "heartrate": "hr",
    "cad": "cadence",
    "cadence": "cadence",
    "speed": "speed",
    "power": "power",
    "powerinwatts": "power",
}
# A metadata time further before the first point than this is not the start of this recording.
MAX_START_BEFORE_FIRST_S = 3600.0
_EXPORT_TYPE = {"run": "running", "ride": "cycling", "walk": "walking", "yoga": "yoga"}


GpxPoint = gpxpy.gpx.GPXTrackPoint | gpxpy.gpx.GPXWaypoint | gpxpy.gpx.GPXRoutePoint


def _point_row(point: GpxPoint) -> dict[str, float] | None:
    if point.time is None:
        return None
    when = point.time if point.time.tzinfo else point.time.replace(tzinfo=UTC)
    row = {
        "t": when.timestamp(),
        "lat": float(point.latitude),
        "lon": float(point.longitude),
        "altitude": float(point.elevation) if point.elevation is not None else math.nan,
        # GPX 1.0 has <speed> on track points; waypoints and route points never do.
        "speed": to_float(getattr(point, "speed", None)),
    }
    for extension in point.extensions:
        for element in extension.iter():
            key = _EXTENSION_KEYS.get(localname(element.tag).lower())
            if key:
                row[key] = text_float(element.text)
    return row


_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _decode(data: bytes) -> str:
    # gpxpy decodes bytes as UTF-8 whatever the XML declaration says; older GPS software writes
    # ISO-8859-1 and says so.
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    declared = _DECLARED_ENCODING.match(data.lstrip())
    return data.decode(declared.group(1).decode("ascii") if declared else "utf-8")


def parse_gpx(data: bytes, filename: str) -> ParsedActivity:
    try:
        document = gpxpy.parse(_decode(data))
    except (UnicodeError, LookupError, gpxpy.gpx.GPXException, ET.ParseError, ValueError) as exc:
        raise ActivityFileInvalid(f"{filename} is not a readable GPX file ({exc}).") from None
    rows: list[dict[str, float]] = []
    sport = "other"
    for track in document.tracks:
        if sport == "other":
            sport = sport_from_text(track.type)
        for segment in track.segments:  # empty segments simply contribute nothing
            rows.extend(r for r in map(_point_row, segment.points) if r is not None)
    if not rows:
        # Waypoints are places and routes are plans, even with times on them: not a recording.
        if document.waypoints and not document.routes and not document.tracks:
            raise ActivityFileInvalid(
                f"{filename} holds only waypoints, places rather than a recorded activity, so "
                "there is nothing to import as a workout."
            )
        kind = "a route" if document.routes else "a track" if document.tracks else "no track"
        raise ActivityFileInvalid(
            f"{filename} holds {kind} without timestamps, not a recorded activity, so there is "
            "nothing to import as a workout."
        )
    if sport in STEP_SPORTS:
        for row in rows:
            if "cadence" in row:
                row["cadence"] *= 2.0
    declared = document.time
    if declared is not None and declared.tzinfo is None:
        declared = declared.replace(tzinfo=UTC)
    # The metadata time is when the recording started, which can be before the first fix.
    first = min(row["t"] for row in rows)
    if declared is not None and not first - MAX_START_BEFORE_FIRST_S <= declared.timestamp():
        declared = None
    return assemble(
        fmt="gpx",
        filename=filename,
        sport=sport,
        indoor=None,
        rows=rows,
        declared_start=declared,
    )


def export_gpx(
    columns: Columns,
    *,
    sport: str,
    started_at: datetime,
    indoor: bool = False,
) -> bytes:
    """A GPX 1.1 track: time, position, elevation, and hr/cad in Garmin's TrackPointExtension v1.

    The metadata time is the workout's start. GPX cannot hold a point without a position, nor
    speed, distance, power or RR (export FIT for those): a sample without a position (a GPS
    drop, a late first fix) is written at the position interpolated in time between its
    neighbours (before the first fix, at the first fix), so its heart rate and cadence are kept
    and the track's length is not changed. A workout with no position at all is refused. Times
    are written to the microsecond, elevation as given.
    """
    cols = as_columns(columns)
    t, lat, lon = cols["t"], cols["lat"], cols["lon"]
    has_position = np.isfinite(lat) & np.isfinite(lon)
    if not has_position.any():
        raise ActivityFileInvalid(
            "This workout has no GPS positions, and GPX cannot hold points without one: "
            "export it as FIT or CSV instead."
        )
    document = gpxpy.gpx.GPX()
    document.creator = "Wellverse"
    document.nsmap["gpxtpx"] = TPX_NS
    document.time = started_at
    track = gpxpy.gpx.GPXTrack()
    track.type = _EXPORT_TYPE.get(sport, "other")  # type: ignore[assignment]  # stub says None
    segment = gpxpy.gpx.GPXTrackSegment()
    track.segments.append(segment)
    document.tracks.append(track)
    known = np.flatnonzero(has_position)
    lat = np.interp(t, t[known], lat[known])
    lon = np.interp(t, t[known], lon[known])
    altitude, hr, cadence = cols["altitude"], cols["hr"], cols["cadence"]
    kept = has_position | np.isfinite(hr) | np.isfinite(cadence) | np.isfinite(altitude)
    for i in np.flatnonzero(kept).tolist():
        point = gpxpy.gpx.GPXTrackPoint(
            latitude=float(lat[i]),
            longitude=float(lon[i]),
            elevation=float(altitude[i]) if np.isfinite(altitude[i]) else None,
            time=datetime.fromtimestamp(float(t[i]), tz=UTC),
        )
        extension = _track_point_extension(hr[i], cadence[i], sport)
        if extension is not None:
            point.extensions.append(extension)
        segment.points.append(point)
    return document.to_xml(version="1.1").encode("utf-8")


def _track_point_extension(hr: float, cadence: float, sport: str) -> ET.Element | None:
    values: list[tuple[str, Any]] = []
    if np.isfinite(hr):
        values.append(("hr", round(hr)))
    if np.isfinite(cadence):
        values.append(("cad", round(cadence / 2.0 if sport in STEP_SPORTS else cadence)))
    if not values:
        return None
    extension = ET.Element("gpxtpx:TrackPointExtension")
    for name, value in values:
        ET.SubElement(extension, f"gpxtpx:{name}").text = str(value)
    return extension
