"""Activity files in and out: FIT, GPX and TCX import, FIT/GPX/CSV export. Django-free.

``parse_activity(data, filename)`` sniffs the format from the content (the name is only used in
messages and as a last hint), and returns a ``ParsedActivity`` in the shared sample vocabulary of
``devices/README.md``; any file it cannot use raises ``ActivityFileInvalid`` (a
``wellness.core.errors.ValidationFailed``) with one sentence saying what is wrong. The writers take the
same columns and return bytes that ``parse_activity`` reads back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from devices.activity_files._common import (
    SAMPLE_KEYS,
    SPORTS,
    ActivityFileInvalid,
    ActivitySummary,
    Columns,
    ParsedActivity,
)
from devices.activity_files.csvfile import export_csv, looks_like_csv, parse_csv
from devices.activity_files.fit import export_fit, looks_like_fit, parse_fit
from devices.activity_files.gpx import export_gpx, parse_gpx
from devices.activity_files.tcx import parse_tcx

__all__ = (
    "EXPORT_FORMATS",
    "SAMPLE_KEYS",
    "SPORTS",
    "ActivityFileInvalid",
    "ActivitySummary",
    "ExportedFile",
    "ParsedActivity",
    "export_activity",
    "export_csv",
    "export_fit",
    "export_gpx",
    "parse_activity",
)

logger = logging.getLogger(__name__)

_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(gpx|TrainingCenterDatabase)[\s>/]")


def sniff_format(data: bytes) -> str | None:
    """``fit``, ``gpx``, ``tcx``, ``csv`` or None, from the bytes alone."""
    if looks_like_fit(data):
        return "fit"
    head = data[:4096]
    match = _XML_ROOT.search(head)
    if match and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "gpx" if match.group(1) == b"gpx" else "tcx"
    if looks_like_csv(data):
        return "csv"
    return None


def parse_activity(data: bytes, filename: str) -> ParsedActivity:
    """Parse a FIT, GPX, TCX (or Wellverse CSV) activity; raise ActivityFileInvalid if unusable."""
    name = filename or "The file"
    if not data:
        raise ActivityFileInvalid(f"{name} is empty.")
    fmt = sniff_format(data)
    if fmt is None:
        if name.lower().endswith(".fit"):
            raise ActivityFileInvalid(f"{name} is not a valid FIT file: its header is missing.")
        raise ActivityFileInvalid(
            f"{name} is not an activity file Wellverse can read (FIT, GPX, TCX or its own CSV)."
        )
    try:
        return _PARSERS[fmt](data, name)
    except ActivityFileInvalid:
        raise
    except Exception:
        # Each parser maps the failures its library is known to raise; this net keeps an
        # unforeseen one in a third-party parser from becoming a 500, and logs it to be mapped.
        logger.exception("unexpected error parsing %s as %s", name, fmt)
        raise ActivityFileInvalid(
            f"{name} could not be read as {fmt.upper()}: it is damaged or uses a variant "
            "Wellverse does not understand."
        ) from None


_PARSERS: dict[str, Callable[[bytes, str], ParsedActivity]] = {
    "fit": parse_fit,
    "gpx": parse_gpx,
    "tcx": parse_tcx,
    "csv": parse_csv,
}


@dataclass(frozen=True)
class ExportedFile:
    data: bytes
    content_type: str
    extension: str  # with the dot, for a download's file name


EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "fit": ("application/vnd.ant.fit", ".fit"),
    "gpx": ("application/gpx+xml", ".gpx"),
    "csv": ("text/csv; charset=utf-8", ".csv"),
}


def export_activity(
    fmt: str,
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
) -> ExportedFile:
    """One entry point for the export endpoint: ``fmt`` is ``fit``, ``gpx`` or ``csv``.

    ``columns`` may be the ``workout_frame`` DataFrame and ``rr`` the ``workout_rr`` array
    (without ``rr_t`` the intervals are placed beat after beat from the first sample).
    ``pauses``, ``laps`` and ``ended_at`` are kept where the format has a place for them (FIT).
    """
    writers: dict[str, Callable[[], bytes]] = {
        "fit": lambda: export_fit(
            columns,
            sport=sport,
            started_at=started_at,
            indoor=indoor,
            rr=rr,
            rr_t=rr_t,
            ended_at=ended_at,
            pauses=pauses,
            laps=laps,
        ),
        "gpx": lambda: export_gpx(columns, sport=sport, started_at=started_at, indoor=indoor),
        "csv": lambda: export_csv(columns, sport=sport, started_at=started_at, rr=rr, rr_t=rr_t),
    }
    if fmt not in writers:
        raise ActivityFileInvalid(
            f"'{fmt}' is not an export format: choose one of {', '.join(EXPORT_FORMATS)}."
        )
    content_type, extension = EXPORT_FORMATS[fmt]
    return ExportedFile(data=writers[fmt](), content_type=content_type, extension=extension)
