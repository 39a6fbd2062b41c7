"""Reading stored batches back in tests: the JSON form of one packed batch."""

from __future__ import annotations

from typing import Any

import numpy as np

from wellness.workouts.samples import COLUMNS, DTYPE, samples_as_json


def unpack_samples(data: bytes, rr: bytes = b"") -> list[dict[str, Any]]:
    """The JSON form of one packed batch (absent keys for NaN); its samples have distinct times."""
    records = np.frombuffer(data, dtype=DTYPE).reshape(-1, len(COLUMNS))
    rr_by_t = np.frombuffer(rr, dtype=DTYPE).reshape(-1, 2).copy()  # (row, ms) -> (t, ms)
    rr_by_t[:, 0] = records[rr_by_t[:, 0].astype(np.intp), 0]
    return samples_as_json(records, rr_by_t)
