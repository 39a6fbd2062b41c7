"""How live samples move an avatar along a route, free of Django.

**Speed**, in order of preference:

1. the sensor's ``speed`` (m/s: foot pod, treadmill, bike speed sensor, GPS);
2. for a ride with ``power``: the speed that power holds on the current gradient (road physics below);
3. ``cadence`` x stride length (run 1.05 m per step, walk 0.75 m per step, ride 5.3 m per pedal
   revolution, a middle gear);
4. heart-rate effort, so a person with only a strap still moves: the fraction of heart-rate reserve
   ``(hr - resting) / (max - resting)``, clamped to 0..1, times the sport's speed at maximal effort
   (walk 2.2, run 5.5, ride 12 m/s, anything else 2.2 m/s). Below 10 % of reserve the avatar stands.

**Gradient.** Speeds 1, 3 and 4 are treated as the flat-ground equivalent of the effort, and the
virtual gradient changes them at equal metabolic (run, walk) or mechanical (ride) power:

* run and walk: Minetti et al. (2002, J Appl Physiol 93:1039) energy cost of running/walking per
  metre at gradient ``g``; speed scales by ``C(0) / C(g)``, capped at 1.6x downhill;
* ride: power to hold speed ``v`` is ``v·m·g·(sin θ + Crr·cos θ) + ½·rho·CdA·v³``; the flat speed's
  power is held on the gradient (rider and bike 80 kg, Crr 0.005, CdA 0.32 m², rho 1.225 kg/m³).

An indoor session whose sensor reports speed is a treadmill (or a trainer) setting its own pace: the
gradient is shown to the person, not applied, since the belt speed is what they actually run.

**Time.** Each sample advances the avatar by its speed times the time since the previous sample;
gaps over ``MAX_STEP_S`` count as ``MAX_STEP_S`` (a dropped connection is not a teleport), samples
at or before the last one applied are ignored (idempotent replays).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

MAX_STEP_S = 5.0
STRIDE_M = {"run": 1.05, "walk": 0.75, "ride": 5.3}
SPEED_AT_MAX_EFFORT = {"walk": 2.2, "run": 5.5, "ride": 12.0}
DEFAULT_SPEED_AT_MAX_EFFORT = 2.2
MIN_EFFORT = 0.10
DEFAULT_RESTING_HR = 60
DEFAULT_MAX_HR = 190
MAX_DOWNHILL_FACTOR = 1.6
DRAFT_ZONE_M = 3.0  # behind another avatar within this gap: drafting

# Ride physics
RIDER_MASS_KG = 80.0
GRAVITY = 9.81
CRR = 0.005
CDA_M2 = 0.32
AIR_DENSITY = 1.225


def _minetti_run(g: float) -> float:
    return 155.4 * g**5 - 30.4 * g**4 - 43.3 * g**3 + 46.3 * g**2 + 19.5 * g + 3.6


def _minetti_walk(g: float) -> float:
    return 280.5 * g**5 - 58.7 * g**4 - 76.8 * g**3 + 51.9 * g**2 + 19.6 * g + 2.5


def ride_power_w(speed_mps: float, gradient: float) -> float:
    theta = math.atan(gradient)
    resist = RIDER_MASS_KG * GRAVITY * (math.sin(theta) + CRR * math.cos(theta))
    return speed_mps * resist + 0.5 * AIR_DENSITY * CDA_M2 * speed_mps**3


def ride_speed_mps(power_w: float, gradient: float) -> float:
    """Speed a rider holds with ``power_w`` on ``gradient`` (bisection; power rises with speed)."""
    if power_w <= 0:
        return 0.0
    lo, hi = 0.0, 30.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if ride_power_w(mid, gradient) < power_w:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def gradient_adjusted_speed(flat_speed_mps: float, gradient: float, sport: str) -> float:
    """The speed the same effort gives on ``gradient`` (see the module docstring)."""
    if flat_speed_mps <= 0:
        return 0.0
    g = max(-0.45, min(0.45, gradient))
    if sport == "ride":
        return ride_speed_mps(ride_power_w(flat_speed_mps, 0.0), g)
    cost = _minetti_walk if sport == "walk" else _minetti_run
    return flat_speed_mps * min(MAX_DOWNHILL_FACTOR, cost(0.0) / max(cost(g), 0.5))


@dataclass(frozen=True)
class Athlete:
    resting_hr: int = DEFAULT_RESTING_HR
    max_hr: int = DEFAULT_MAX_HR


@dataclass(frozen=True)
class SpeedReading:
    speed_mps: float
    source: str  # "sensor", "power", "cadence", "heart_rate", "none"
    gradient_applied: bool


def speed_for(
    sample: Mapping[str, Any], *, sport: str, indoor: bool, gradient: float, athlete: Athlete
) -> SpeedReading:
    """The avatar's speed for one sample on ``gradient`` (rules in the module docstring)."""
    speed = sample.get("speed")
    if isinstance(speed, int | float) and speed >= 0:
        if indoor:
            return SpeedReading(float(speed), "sensor", gradient_applied=False)
        return SpeedReading(gradient_adjusted_speed(float(speed), gradient, sport), "sensor", True)
    power = sample.get("power")
    if sport == "ride" and isinstance(power, int | float) and power > 0:
        return SpeedReading(ride_speed_mps(float(power), gradient), "power", True)
    cadence = sample.get("cadence")
    if isinstance(cadence, int | float) and cadence > 0 and sport in STRIDE_M:
        flat = float(cadence) / 60.0 * STRIDE_M[sport]
        return SpeedReading(gradient_adjusted_speed(flat, gradient, sport), "cadence", True)
    hr = sample.get("hr")
    if isinstance(hr, int | float) and hr > 0:
        reserve = max(athlete.max_hr - athlete.resting_hr, 1)
        effort = min(max((float(hr) - athlete.resting_hr) / reserve, 0.0), 1.0)
        if effort < MIN_EFFORT:
            return SpeedReading(0.0, "heart_rate", True)
        flat = effort * SPEED_AT_MAX_EFFORT.get(sport, DEFAULT_SPEED_AT_MAX_EFFORT)
        return SpeedReading(gradient_adjusted_speed(flat, gradient, sport), "heart_rate", True)
    return SpeedReading(0.0, "none", True)


@dataclass(frozen=True)
class Landmark:
    id: int
    name: str
    distance_m: float  # along one lap


@dataclass(frozen=True)
class Course:
    """What the movement engine needs of a world: lap length, laps, landmarks, gradient lookup."""

    lap_length_m: float
    laps: int
    landmarks: tuple[Landmark, ...]
    gradient_at: Callable[[float], float]  # distance along one lap -> gradient

    @property
    def length_m(self) -> float:
        return self.lap_length_m * self.laps


@dataclass(frozen=True)
class Event:
    kind: str  # "landmark", "lap", "finish", "drafting", "overtake", "overtaken"
    t: float
    distance_m: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AvatarState:
    distance_m: float = 0.0  # along the whole course, all laps
    speed_mps: float = 0.0
    gradient: float = 0.0
    gradient_applied: bool = True
    last_t: float | None = None
    finished: bool = False
    finish_time_s: float | None = None
    started_t: float | None = None


def _crossings(course: Course, before: float, after: float, t: float) -> list[Event]:
    events: list[Event] = []
    lap_len = course.lap_length_m
    first_lap, last_lap = int(before // lap_len), int(min(after, course.length_m) // lap_len)
    for lap in range(first_lap, min(last_lap, course.laps - 1) + 1):
        for mark in course.landmarks:
            at = lap * lap_len + mark.distance_m
            if before < at <= after:
                events.append(
                    Event(
                        "landmark",
                        t,
                        at,
                        {"landmark_id": mark.id, "name": mark.name, "lap": lap + 1},
                    )
                )
    for lap in range(first_lap + 1, last_lap + 1):
        at = lap * lap_len
        if before < at <= after and lap < course.laps:
            events.append(Event("lap", t, at, {"lap": lap}))
    return events


def avatar_step(
    state: AvatarState,
    samples: Iterable[Mapping[str, Any]],
    *,
    course: Course,
    sport: str,
    indoor: bool,
    athlete: Athlete,
) -> tuple[AvatarState, list[Event]]:
    """Advance ``state`` by these samples (in any order); return the new state and its events."""
    events: list[Event] = []
    ordered = sorted(
        (s for s in samples if isinstance(s.get("t"), int | float)), key=lambda s: float(s["t"])
    )
    for sample in ordered:
        t = float(sample["t"])
        if state.finished or (state.last_t is not None and t <= state.last_t):
            continue
        lap_position = state.distance_m % course.lap_length_m
        reading = speed_for(
            sample,
            sport=sport,
            indoor=indoor,
            gradient=course.gradient_at(lap_position),
            athlete=athlete,
        )
        dt = 0.0 if state.last_t is None else min(t - state.last_t, MAX_STEP_S)
        after = state.distance_m + reading.speed_mps * dt
        events.extend(_crossings(course, state.distance_m, after, t))
        started = state.started_t if state.started_t is not None else t
        finished = after >= course.length_m
        if finished:
            # The finish time interpolates within the step, so results do not depend on batching.
            over = (after - course.length_m) / reading.speed_mps if reading.speed_mps > 0 else 0.0
            finish_time = t - over - started
            after = course.length_m
            events.append(Event("finish", t, after, {"time_s": round(finish_time, 1)}))
        state = replace(
            state,
            distance_m=after,
            speed_mps=reading.speed_mps if not finished else 0.0,
            gradient=course.gradient_at(
                after % course.lap_length_m if not finished else course.lap_length_m
            ),
            gradient_applied=reading.gradient_applied,
            last_t=t,
            finished=finished,
            finish_time_s=finish_time if finished else None,
            started_t=started,
        )
    return state, events


class Pack:
    """Where the avatars of a world were at the start of a tick and are at its end, by distance,
    so that a mover finds whom it passed and whose draft it entered in O(log n + passed) instead
    of comparing with every other avatar (O(n) a mover, O(n²) a tick of a busy world).

    Overtaking: the other was ahead before and is behind after; both may have moved in the tick,
    so two runners never overtake each other in one tick, and leaving the start line (where all
    are level) ahead of others is not overtaking them. Drafting: the mover is now within
    ``DRAFT_ZONE_M`` behind the nearest avatar ahead and was not behind that one so before; one
    event at most a mover, so a bunch does not report every pair in it. Events come as the
    overtakes by distance, then the drafting.
    """

    def __init__(
        self, before_m: Mapping[int, float], after_m: Mapping[int, float] | None = None
    ) -> None:
        self._before = dict(before_m)
        self._after = {**self._before, **(after_m or {})}
        self._by_before = sorted((d, i) for i, d in self._before.items())
        self._by_after = sorted((d, i) for i, d in self._after.items())

    def events(
        self, mover: int | None, *, before_m: float, after_m: float, t: float
    ) -> list[Event]:
        # Passed: ``before_m < other's before`` and ``other's after < after_m``. Avatars only
        # move forward, so both its before and its after lie in (before_m, after_m): look through
        # whichever of the two ranges is smaller (a bunch moving as one fills one with everybody
        # and the other with nobody).
        ranges = [
            (
                bisect.bisect_right(ordered, (before_m, math.inf)),
                bisect.bisect_left(ordered, (after_m, -math.inf)),
                ordered,
            )
            for ordered in (self._by_before, self._by_after)
        ]
        lo, hi, ordered = min(ranges, key=lambda r: r[1] - r[0])
        passed = sorted(
            (self._before[i], i)
            for _, i in ordered[lo:hi]
            if before_m < self._before[i] and self._after[i] < after_m and i != mover
        )
        events = [Event("overtake", t, after_m, {"other": i}) for _, i in passed]
        ahead = bisect.bisect_right(self._by_after, (after_m, math.inf))
        if ahead < len(self._by_after):
            leader_m, leader = self._by_after[ahead]
            was_drafting = 0 < self._before.get(leader, leader_m) - before_m <= DRAFT_ZONE_M
            if 0 < leader_m - after_m <= DRAFT_ZONE_M and not was_drafting and leader != mover:
                events.append(Event("drafting", t, after_m, {"other": leader}))
        return events


def pack_events(
    *, before_m: float, after_m: float, others_m: Mapping[int, float], t: float
) -> list[Event]:
    """Overtaking and drafting of one mover against the other avatars' positions (by their ids),
    which did not move; the rules are :class:`Pack`'s."""
    return Pack(others_m).events(None, before_m=before_m, after_m=after_m, t=t)
