"""Wellverse's own CSV: a header of the shared sample keys, one sample a row.

``rr`` holds the RR intervals (ms) recorded with that sample, separated by spaces; an empty cell is
"not measured". An optional first line ``#sport=run;indoor=0;pauses=T1/T2 T3/T4`` carries what the
columns cannot: the sport, the indoor flag and the timer's pauses (from/to UNIX seconds). A file
without it imports as "other".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
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
)

CSV_KEYS: tuple[str, ...] = ("t", "hr", "rr", *SAMPLE_KEYS[2:])
HEADER = ",".join(CSV_KEYS)


def looks_like_csv(data: bytes) -> bool:
    body = data.lstrip(b"\xef\xbb\xbf")
    if body.startswith(b"#"):
        body = body.partition(b"\n")[2]
    return body.startswith(b"t,")


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
    indoor: bool = False,
    rr: np.ndarray | None = None,
    rr_t: np.ndarray | None = None,
    pauses: Sequence[tuple[float, float]] = (),
) -> bytes:
    """The samples as CSV (lossless), after the line of sport, indoor flag and pauses.

    ``started_at`` is accepted for a uniform writer signature: the first sample is the start."""
    arrays = as_columns(columns)
    rr_by_t = rr_by_sample(arrays["t"], rr, rr_t)
    out = io.StringIO()
    stops = " ".join(f"{_cell(a)}/{_cell(b)}" for a, b in pauses)
    out.write(f"#sport={sport};indoor={int(indoor)};pauses={stops}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_KEYS)
    for i, when in enumerate(arrays["t"].tolist()):
        row = [_cell(arrays[k][i]) for k in SAMPLE_KEYS]
        row.insert(2, " ".join(_cell(ms) for ms in rr_by_t.get(when, [])))
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _meta(line: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in line.lstrip("#").strip().split(";"))
    return {key.strip(): value.strip() for key, _, value in pairs if key.strip()}


def parse_csv(data: bytes, filename: str) -> ParsedActivity:
    try:
        text = data.decode("utf-8-sig")
        meta: dict[str, str] = {}
        if text.startswith("#"):
            first, _, text = text.partition("\n")
            meta = _meta(first)
        pauses = [
            (float(a), float(b))
            for a, _, b in (stop.partition("/") for stop in meta.get("pauses", "").split())
        ]
        reader = csv.DictReader(io.StringIO(text))
        unknown = set(reader.fieldnames or ()) - set(CSV_KEYS)
        if unknown:
            raise ActivityFileInvalid(
                f"{filename} has columns {', '.join(sorted(unknown))} that are not sample keys "
                f"(expected a header of {HEADER})."
            )
        rows: list[dict[str, float]] = []
        rr: list[tuple[float, float]] = []
        for line, record in enumerate(reader, start=2):
            row = {k: float(v) for k, v in record.items() if k in SAMPLE_KEYS and k != "rr" and v}
            if "t" not in row:
                raise ActivityFileInvalid(f"{filename} line {line} has no time (t).")
            rows.append(row)
            rr.extend((row["t"], float(ms)) for ms in (record.get("rr") or "").split())
    except (UnicodeDecodeError, csv.Error, ValueError, TypeError) as exc:
        raise ActivityFileInvalid(f"{filename} is not a readable sample CSV ({exc}).") from None
    indoor = {"1": True, "0": False}.get(meta.get("indoor", ""))
    return assemble(
        fmt="csv",
        filename=filename,
        sport=meta.get("sport", "other"),
        indoor=indoor,
        rows=rows,
        rr=rr,
        pauses=pauses,
        timer="pauses" in meta,
    )
