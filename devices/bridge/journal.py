"""The bridge's durable journal: every batch the server has not acknowledged, in an SQLite file.

A batch is written (and fsynced) before it is sent and deleted only when the server acknowledges it,
so a crash, a network cut or Ctrl-C loses nothing; the server stores a (workout, device, seq) batch
once, so re-sending never stores twice. The journal also keeps the session (its ``client_id``) so
a restarted bridge resumes the same workout.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS session (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    client_id TEXT NOT NULL, sport TEXT NOT NULL, indoor INTEGER NOT NULL,
    started_at REAL NOT NULL, workout_id INTEGER
);
CREATE TABLE IF NOT EXISTS device_seq (device TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batch (
    device TEXT NOT NULL, seq INTEGER NOT NULL, samples TEXT NOT NULL,
    PRIMARY KEY (device, seq)
);
"""


@dataclass(frozen=True)
class Session:
    client_id: str
    sport: str
    indoor: bool
    started_at: float
    workout_id: int | None


@dataclass(frozen=True)
class Batch:
    device: str
    seq: int
    samples: list[dict[str, Any]]


class Journal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode; each write is its own durable transaction (synchronous=FULL).
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def session(self) -> Session | None:
        row = self.db.execute(
            "SELECT client_id, sport, indoor, started_at, workout_id FROM session"
        ).fetchone()
        if row is None:
            return None
        return Session(row[0], row[1], bool(row[2]), row[3], row[4])

    def session_open(self, *, sport: str, indoor: bool, started_at: float) -> Session:
        """The unfinished session if there is one (resumed as it was), else a new one."""
        existing = self.session()
        if existing is not None:
            return existing
        self.db.execute(
            "INSERT INTO session (id, client_id, sport, indoor, started_at) VALUES (1, ?, ?, ?, ?)",
            (str(uuid.uuid4()), sport, int(indoor), started_at),
        )
        session = self.session()
        assert session is not None
        return session

    def session_started(self, *, workout_id: int) -> None:
        self.db.execute("UPDATE session SET workout_id = ?", (workout_id,))

    def session_finished(self) -> None:
        """The server closed the workout: forget it (nothing is pending by then)."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM batch")
            self.db.execute("DELETE FROM device_seq")
            self.db.execute("DELETE FROM session")

    def append(self, device: str, samples: list[dict[str, Any]]) -> Batch:
        """Store the next batch of ``device`` durably and return it with its sequence number."""
        payload = json.dumps(samples, separators=(",", ":"))
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute(
                "SELECT last_seq FROM device_seq WHERE device = ?", (device,)
            ).fetchone()
            seq = (row[0] if row else 0) + 1
            self.db.execute(
                "INSERT INTO device_seq (device, last_seq) VALUES (?, ?) "
                "ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq",
                (device, seq),
            )
            self.db.execute(
                "INSERT INTO batch (device, seq, samples) VALUES (?, ?, ?)", (device, seq, payload)
            )
        return Batch(device, seq, samples)

    def acknowledge(self, device: str, seq: int) -> None:
        """The server stored every batch of ``device`` up to ``seq``."""
        self.db.execute("DELETE FROM batch WHERE device = ? AND seq <= ?", (device, seq))

    def discard(self, device: str, seq: int) -> None:
        """The server refused this batch for good: keeping it would only wedge the journal."""
        self.db.execute("DELETE FROM batch WHERE device = ? AND seq = ?", (device, seq))

    def pending(self) -> list[Batch]:
        rows = self.db.execute("SELECT device, seq, samples FROM batch ORDER BY seq, device")
        return [Batch(device, seq, json.loads(samples)) for device, seq, samples in rows]

    def pending_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM batch").fetchone()[0])
