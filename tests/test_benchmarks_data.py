"""The scoring benchmarks' synthetic workout carries the resolution real sensors deliver, no less."""

from __future__ import annotations

import numpy as np

from benchmarks.scoring import synthetic_run
from devices.gatt import decode_heart_rate, decode_rsc, encode_heart_rate, encode_rsc


def test_the_synthetic_runs_sensor_values_are_exactly_what_the_gatt_decoders_give() -> None:
    frame, rr = synthetic_run(600, seed=1)

    for speed, cadence, distance in frame[["speed", "cadence", "distance"]].itertuples(index=False):
        decoded = decode_rsc(encode_rsc(speed=speed, cadence=int(cadence), distance=distance))
        assert (decoded["speed"], decoded["cadence"], decoded["distance"]) == (
            speed,
            cadence,
            distance,
        )
    for beats in np.array_split(rr, len(rr) // 4):
        decoded = decode_heart_rate(encode_heart_rate(150, rr_ms=beats.tolist()))
        assert decoded["rr"] == beats.tolist()
    assert (frame["hr"] == np.rint(frame["hr"])).all()


def test_the_synthetic_runs_gps_altitude_and_beat_to_beat_variability_stay_realistic() -> None:
    frame, rr = synthetic_run(3600, seed=0)

    for column in ("altitude", "lat"):
        values = frame[column].to_numpy()
        assert (values.astype(np.float32).astype(np.float64) != values).mean() > 0.99
    assert 7_500 < len(rr) < 9_000  # an hour of a chest strap's beats
    assert np.std(np.diff(rr)) > 15.0  # ms: the intervals vary beat to beat
