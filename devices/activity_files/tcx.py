"""TCX (Garmin Training Center) activities with tcxreader."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from datetime import UTC

from tcxreader.tcxreader import TCXReader

from devices.activity_files._common import (
    STEP_SPORTS,
    ActivityFileInvalid,
    ParsedActivity,
    assemble,
    sport_from_text,
    to_float,
)


def parse_tcx(data: bytes, filename: str) -> ParsedActivity:
    try:
        # ET.parse underneath accepts a file object. only_gps=False: indoor activities have no
        # positions and must import all the same.
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)
    except (ET.ParseError, LookupError) as exc:  # LookupError: an unknown declared encoding
        raise ActivityFileInvalid(f"{filename} is not readable TCX (XML error: {exc}).") from None
    except (ValueError, TypeError, KeyError, AttributeError, ZeroDivisionError) as exc:
        # tcxreader reports malformed values and empty files with these built-in types.
        raise ActivityFileInvalid(f"{filename} is not a readable TCX activity ({exc}).") from None
    sport = sport_from_text(getattr(exercise, "activity_type", None))
    rows = []
    for point in exercise.trackpoints or []:
        if point.time is None:
            continue
        when = point.time if point.time.tzinfo else point.time.replace(tzinfo=UTC)
        extensions = point.tpx_ext or {}
        cadence = to_float(point.cadence)
        if math.isnan(cadence):
            cadence = to_float(extensions.get("RunCadence"))
        if sport in STEP_SPORTS:
            cadence *= 2.0
        rows.append(
            {
                "t": when.timestamp(),
                "hr": to_float(point.hr_value),
                "cadence": cadence,
                "speed": to_float(extensions.get("Speed")),
                "distance": to_float(point.distance),
                "power": to_float(extensions.get("Watts")),
                "altitude": to_float(point.elevation),
                "lat": to_float(point.latitude),
                "lon": to_float(point.longitude),
            }
        )
    return assemble(fmt="tcx", filename=filename, sport=sport, indoor=None, rows=rows)
