"""The synthetic athlete: physiological lag, plausible RR variability, noise and drop-outs."""

from __future__ import annotations

import statistics

import pytest

from devices import gatt, simulator


def _hr_series(athlete: simulator.Athlete, seconds: int) -> list[int]:
    series = []
    for _ in range(seconds):
        for frame in athlete.step(1.0):
            if frame.characteristic == gatt.HEART_RATE_MEASUREMENT:
                series.append(gatt.decode_heart_rate(frame.data)["hr"])
    return series


def test_heart_rate_lags_behind_a_step_in_effort() -> None:
    athlete = simulator.Athlete(sport="run", seed=1, dropout_probability=0.0)
    _hr_series(athlete, 300)  # warm-up done; the first hard interval starts at 300 s
    target = athlete.resting_hr + 0.8 * (athlete.max_hr - athlete.resting_hr)

    after_10_s = _hr_series(athlete, 10)[-1]
    after_150_s = _hr_series(athlete, 140)[-1]

    assert after_10_s < target - 10
    assert abs(after_150_s - target) < 5


def test_rr_intervals_match_the_heart_rate_and_vary() -> None:
    athlete = simulator.Athlete(sport="yoga", seed=2, dropout_probability=0.0)
    rr: list[float] = []
    hr: list[int] = []
    for _ in range(300):
        for frame in athlete.step(1.0):
            decoded = gatt.decode_heart_rate(frame.data)
            rr.extend(decoded["rr"])
            hr.append(decoded["hr"])

    assert statistics.mean(rr) == pytest.approx(60000 / statistics.mean(hr), rel=0.05)
    assert 10 < statistics.stdev(rr) < 150
    assert len(rr) == pytest.approx(sum(hr) / 60, rel=0.05)


def test_sensors_drop_out_now_and_then() -> None:
    athlete = simulator.Athlete(sport="run", seed=3, dropout_probability=0.02)

    frames = [f for _ in range(600) for f in athlete.step(1.0)]

    per_device = {d: sum(f.device == d for f in frames) for d in athlete.devices()}
    assert all(450 < n < 600 for n in per_device.values())


def test_every_simulated_frame_decodes() -> None:
    for sport in simulator.SIMULATED_SPORTS:
        athlete = simulator.Athlete(sport=sport, seed=4)
        for _ in range(120):
            for frame in athlete.step(1.0):
                assert isinstance(gatt.decode(frame.characteristic, frame.data), dict)


def test_unknown_sport_is_refused() -> None:
    with pytest.raises(ValueError, match="sport must be one of run, ride, walk, yoga"):
        simulator.Athlete(sport="swim")
