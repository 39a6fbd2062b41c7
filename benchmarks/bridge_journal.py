"""The bridge's durable journal: batched transactions against one transaction per sample."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import Figure, figure, median_seconds
from devices.bridge.journal import Journal

DESCRIPTION = "bridge journal: samples/s journalled and acknowledged, batched vs one per sample"

SAMPLE = {"t": 1_700_000_000.0, "hr": 142, "rr": [421.875, 418.9453125]}


def _journal_and_ack(path: Path, samples: int, batch_size: int) -> None:
    journal = Journal(path)
    try:
        for start in range(0, samples, batch_size):
            batch = journal.append("strap", [SAMPLE] * min(batch_size, samples - start))
            journal.acknowledge("strap", batch.seq)
    finally:
        journal.close()


def run(quick: bool) -> list[Figure]:
    samples = 2_000 if quick else 20_000
    naive_samples = 300 if quick else 2_000
    batch_size = 8  # 0.5 s of a 16 Hz stream: what `stream` journals per device
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1_000_000))

        def batched() -> None:
            _journal_and_ack(Path(tmp, f"b{next(counter)}.sqlite3"), samples, batch_size)

        def one_by_one() -> None:
            _journal_and_ack(Path(tmp, f"n{next(counter)}.sqlite3"), naive_samples, 1)

        batched_rate = samples / median_seconds(batched, repeat=3)
        naive_rate = naive_samples / median_seconds(one_by_one, repeat=3)
    return [
        figure(
            "bridge_journal",
            f"samples journalled+acked, batches of {batch_size}",
            batched_rate,
            "samples/s",
            baseline=naive_rate,
            goal="far above a bridge's ~50 samples/s on a Raspberry Pi SD card, fsync per batch",
            higher_is_better=True,
        )
    ]
