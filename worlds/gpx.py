"""Reading routes from GPX with gpxpy, free of Django: tracks, routes, or waypoints as a last resort."""

from __future__ import annotations

from dataclasses import dataclass

import gpxpy
import gpxpy.gpx

from worlds.geometry import RouteGeometry, RouteTooShort, route_build


class GpxRejected(ValueError):
    """A GPX file that cannot become a route; the message says why, for the person uploading it."""


@dataclass(frozen=True)
class ParsedRoute:
    name: str
    geometry: RouteGeometry
    notes: tuple[str, ...]


def gpx_route_parse(content: str | bytes) -> ParsedRoute:
    """The route in a GPX document: its track points (all segments, in order), else its route points."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise GpxRejected(f"This is not a readable GPX file ({exc}).") from None
    except (ValueError, TypeError, AttributeError) as exc:
        raise GpxRejected(f"This is not a readable GPX file ({exc}).") from None
    points = [
        (p.latitude, p.longitude, p.elevation)
        for track in gpx.tracks
        for segment in track.segments
        for p in segment.points
    ]
    name = next((t.name for t in gpx.tracks if t.name), None)
    if not points:
        points = [
            (p.latitude, p.longitude, p.elevation) for route in gpx.routes for p in route.points
        ]
        name = next((r.name for r in gpx.routes if r.name), None)
    if not points:
        raise GpxRejected("This GPX file has no track or route points, so there is no route.")
    if len(points) == 1:
        raise GpxRejected("This GPX file has only one point; a route needs at least two.")
    try:
        geometry = route_build(points)
    except RouteTooShort as exc:
        raise GpxRejected(f"This GPX file does not describe a route: {exc}.") from None
    notes = []
    if not geometry.has_elevation:
        notes.append("The GPX file has no elevation, so the route is flat.")
    return ParsedRoute(name=(name or gpx.name or "").strip(), geometry=geometry, notes=tuple(notes))


def gpx_write(
    points: list[tuple[float, float, float | None]], *, name: str = "", as_route: bool = False
) -> str:
    """A GPX document with these points as one track (or one route): how generated routes enter
    through the same import path as uploaded files."""
    gpx = gpxpy.gpx.GPX()
    if as_route:
        route = gpxpy.gpx.GPXRoute(name=name or None)
        route.points = [gpxpy.gpx.GPXRoutePoint(la, lo, elevation=e) for la, lo, e in points]
        gpx.routes.append(route)
    else:
        track = gpxpy.gpx.GPXTrack(name=name or None)
        segment = gpxpy.gpx.GPXTrackSegment(
            [gpxpy.gpx.GPXTrackPoint(la, lo, elevation=e) for la, lo, e in points]
        )
        track.segments.append(segment)
        gpx.tracks.append(track)
    return str(gpx.to_xml())
