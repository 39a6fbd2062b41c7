"""Wellverse's own CSV: a header of the shared sample keys, one sample a row.

``rr`` holds the RR intervals (ms) recorded with that sample, separated by spaces; an empty cell is
"not measured". The last column, ``sport``, repeats the workout's sport on every row, so a
spreadsheet reads the file as it is; a file without it imports as "other". Timer pauses and laps
have no place here (export FIT for them).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import numpy as np

from devices.activity_files._common import (
    SAMPLE_KEYS,
    ActivityFileInvalid,
    Columns,
    ParsedActivity,
    as_columns,
    assemble,
    rr_by_sample,
    sport_from_text,
)

CSV_KEYS: tuple[str, ...] = ("t", "hr", "rr", *SAMPLE_KEYS[2:], "sport")
HEADER = ",".join(CSV_KEYS)


def looks_like_csv(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf").startswith(b"t,")


def _cell(value: float) -> str:
    if not np.isfinite(value):
        return ""
    # repr keeps every bit of a float, so the CSV round trip is exact.
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def export_csv(
    columns: Columns,
    *,
    sport: str,
    started_at: datetime,
    rr: np.ndarray | None = None,
    rr_t: np.ndarray | None = None,
) -> bytes:
    """The samples as CSV (lossless), the sport on every row.

    ``started_at`` is accepted for a uniform writer signature: the first sample is the start."""
    arrays = as_columns(columns)
    rr_by_t = rr_by_sample(arrays["t"], rr, rr_t)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_KEYS)
    for i, when in enumerate(arrays["t"].tolist()):
        row = [_cell(arrays[k][i]) for k in SAMPLE_KEYS]
        row.insert(2, " ".join(_cell(ms) for ms in rr_by_t.get(when, [])))
        row.append(sport)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def parse_csv(data: bytes, filename: str) -> ParsedActivity:
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        unknown = set(reader.fieldnames or ()) - set(CSV_KEYS)
        if unknown:
            raise ActivityFileInvalid(
                f"{filename} has columns {', '.join(sorted(unknown))} that are not sample keys "
                f"(expected a header of {HEADER})."
            )
        rows: list[dict[str, float]] = []
        sport = "other"
        rr: list[tuple[float, float]] = []
        for line, record in enumerate(reader, start=2):
            row = {k: float(v) for k, v in record.items() if k in SAMPLE_KEYS and k != "rr" and v}
            if "t" not in row:
                raise ActivityFileInvalid(f"{filename} line {line} has no time (t).")
            rows.append(row)
            if line == 2 and record.get("sport"):
                sport = sport_from_text(record["sport"])
            rr.extend((row["t"], float(ms)) for ms in (record.get("rr") or "").split())
    except (UnicodeDecodeError, csv.Error, ValueError, TypeError) as exc:
        raise ActivityFileInvalid(f"{filename} is not a readable sample CSV ({exc}).") from None
    return assemble(fmt="csv", filename=filename, sport=sport, indoor=None, rows=rows, rr=rr)
