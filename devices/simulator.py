"""A synthetic athlete whose sensors emit the same GATT bytes real devices send.

Heart rate follows effort through a first-order lag (faster rising than recovering), RR intervals
vary with breathing and noise, cadence and speed carry noise, and sensors drop out now and then. The
frames go through the same profiles (``devices.profiles``) as a real device's notifications, so demos
and tests exercise the real decoding path. Pure Python, no Django import.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from devices import gatt
from wellness.workouts.sports import SPORTS

# Every sport but "other", which has no typical sensors to simulate.
SIMULATED_SPORTS = tuple(sport for sport in SPORTS if sport != "other")

# Stable device ids (the ``device`` of ingest batches) for the simulated sensors.
HR_STRAP = "sim-hr-strap"
FOOT_POD = "sim-foot-pod"
POWER_METER = "sim-power-meter"
SPEED_SENSOR = "sim-speed-sensor"


@dataclass(frozen=True)
class Frame:
    """One notification: which device sent which characteristic's bytes at what time."""

    device: str
    characteristic: str
    data: bytes
    t: float


@dataclass
class _Counters:
    wheel_revolutions: float = 0.0
    wheel_ticks: float = 0.0
    crank_revolutions: float = 0.0
    crank_ticks: float = 0.0
    distance: float = 0.0


@dataclass
class Athlete:
    """A simulated workout; :meth:`step` advances it by ``dt`` seconds and returns the frames."""

    sport: str = "run"
    seed: int = 0
    start_t: float = 1_700_000_000.0
    resting_hr: float = 55.0
    max_hr: float = 188.0
    dropout_probability: float = 0.01  # per sensor per second: a short loss of signal
    elapsed: float = 0.0
    hr: float = field(init=False)
    _random: random.Random = field(init=False, repr=False)
    _counters: _Counters = field(default_factory=_Counters, repr=False)
    _dropped_until: dict[str, float] = field(default_factory=dict, repr=False)
    _rr_carry: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        if self.sport not in SIMULATED_SPORTS:
            raise ValueError(
                f"sport must be one of {', '.join(SIMULATED_SPORTS)}, not {self.sport!r}"
            )
        self._random = random.Random(self.seed)  # noqa: S311 reproducible fake data
        self.hr = self.resting_hr + 10

    def devices(self) -> list[str]:
        return {
            "run": [HR_STRAP, FOOT_POD],
            "walk": [HR_STRAP, FOOT_POD],
            "ride": [HR_STRAP, POWER_METER, SPEED_SENSOR],
            "yoga": [HR_STRAP],
            "rehab": [HR_STRAP],
        }[self.sport]

    def effort(self, t: float) -> float:
        """Fraction of heart-rate reserve the workout asks for at ``t`` seconds."""
        warmup = min(1.0, t / 300)
        if self.sport == "yoga":
            return 0.15 + 0.1 * math.sin(t / 90) ** 2
        if self.sport == "walk":
            return 0.25 + 0.1 * warmup
        if self.sport == "rehab":
            # Two minutes of exercise at ~55 % of reserve, then a minute's rest, after the warm-up.
            return 0.2 + (0.35 if t > 300 and (t - 300) % 180 < 120 else 0.0) * warmup
        # Run and ride: 4-minute hard / 2-minute easy intervals after the warm-up.
        base = 0.5 * warmup
        if t > 300 and (t - 300) % 360 < 240:
            base = 0.8
        return base

    def step(self, dt: float = 1.0) -> list[Frame]:
        self.elapsed += dt
        rnd = self._random
        effort = self.effort(self.elapsed)
        target = self.resting_hr + effort * (self.max_hr - self.resting_hr)
        # Heart rate lags effort: ~30 s time constant going up, ~60 s coming down.
        tau = 30.0 if target > self.hr else 60.0
        self.hr += (target - self.hr) * (1 - math.exp(-dt / tau)) + rnd.gauss(0, 0.4)
        t = self.start_t + self.elapsed
        frames = []
        for device in self.devices():
            if self._dropped(device, t):
                continue
            frames.append(Frame(device, *self._measure(device, effort, dt), t=t))
        return frames

    def _dropped(self, device: str, t: float) -> bool:
        if t < self._dropped_until.get(device, 0.0):
            return True
        if self._random.random() < self.dropout_probability:
            self._dropped_until[device] = t + self._random.uniform(2, 6)
            return True
        return False

    def _rr_intervals(self, dt: float) -> list[float]:
        """The beats that ended during this step, with respiratory and random variability."""
        rnd = self._random
        mean = 60000 / self.hr
        # Variability shrinks as effort rises, as it does in people.
        spread = max(
            0.01, 0.06 * (1 - (self.hr - self.resting_hr) / (self.max_hr - self.resting_hr))
        )
        intervals = []
        self._rr_carry += dt * 1000
        while True:
            breath = math.sin(2 * math.pi * (self.elapsed / 4.5))
            rr = mean * (1 + spread * breath + rnd.gauss(0, spread / 2))
            if rr > self._rr_carry:
                break
            self._rr_carry -= rr
            intervals.append(round(rr, 1))
        return intervals

    def _measure(self, device: str, effort: float, dt: float) -> tuple[str, bytes]:
        rnd, c = self._random, self._counters
        if device == HR_STRAP:
            return gatt.HEART_RATE_MEASUREMENT, gatt.encode_heart_rate(
                round(self.hr), rr_ms=self._rr_intervals(dt)[:4]
            )
        if device == FOOT_POD:
            walking = self.sport == "walk"
            speed = max(
                0.0, (1.3 + 0.3 * effort if walking else 2.2 + 2.2 * effort) + rnd.gauss(0, 0.08)
            )
            cadence = round((105 if walking else 158 + 20 * effort) + rnd.gauss(0, 2))
            c.distance += speed * dt
            return gatt.RSC_MEASUREMENT, gatt.encode_rsc(
                speed=speed, cadence=cadence, distance=c.distance, running=not walking
            )
        ride_speed = max(0.0, 6 + 5 * effort + rnd.gauss(0, 0.2))
        ride_cadence = max(0.0, 80 + 15 * effort + rnd.gauss(0, 2))
        if device == POWER_METER:
            c.crank_revolutions += ride_cadence / 60 * dt
            c.crank_ticks += dt * 1024
            power = max(0, round(90 + 220 * effort + rnd.gauss(0, 12)))
            return gatt.CYCLING_POWER_MEASUREMENT, gatt.encode_cycling_power(
                power=power,
                crank_revolutions=int(c.crank_revolutions),
                crank_event_ticks=int(c.crank_ticks),
            )
        c.wheel_revolutions += ride_speed / 2.105 * dt
        c.wheel_ticks += dt * 1024
        return gatt.CSC_MEASUREMENT, gatt.encode_csc(
            wheel_revolutions=int(c.wheel_revolutions), wheel_event_ticks=int(c.wheel_ticks)
        )
