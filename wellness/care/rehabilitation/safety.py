"""The safety arithmetic of a rehabilitation session: the heart-rate ceiling a program's limits
give for one person, and the per-batch check of heart-rate samples against it. No Django imports.

Ceiling rules (the therapist chooses one per program):

* ``bpm``: a fixed ceiling, e.g. from the person's exercise test.
* ``hrr_percent``: Karvonen, resting + p% x (maximum - resting) (Karvonen, Kentala & Mustala 1957;
  ACSM's Guidelines for Exercise Testing and Prescription, 11th ed., ch. 5). Needs the resting
  heart rate; the maximum is the measured one or Tanaka's estimate (``people.physiology``).
* ``beta_blocker``: resting + N bpm (default 20), the upper limit ACSM's Guidelines give for early
  (inpatient) cardiac rehabilitation when no exercise test is available (resting + 20 after a
  myocardial infarction or with heart failure, resting + 30 after heart surgery). Beta-blockers
  blunt the heart-rate response, so an age-predicted maximum, and a percentage of it, overstates
  what is safe: this rule never uses it, and the program's maximum RPE guides the effort.

The check: a sample is *over* when its rate is strictly above the ceiling (exactly at it is not
over). Dropouts (NaN, zero or negative rates, a missing time) are skipped: they neither start nor
end an episode. **One sample over triggers**: a strap already reports a beat-averaged rate, and the
issue asks for an alert within a second, so no debounce delays it; a spike is one crossing
followed by "back under" at the next sample. Time above is the sum of the intervals from each
sample over to the next valid sample, leaving out intervals longer than ``MAX_GAP_S`` (a dropout:
the rate in between is unknown). Samples at or before the last time the state saw are replays and
are ignored, so a batch delivered twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from wellness.care.rehabilitation.plan import SafetyLimits
from wellness.people.physiology import effective_max_heart_rate

# Longer than this between two samples is a dropout, not time above the ceiling.
MAX_GAP_S = 5.0


@dataclass(frozen=True)
class Physiology:
    resting_hr: int | None
    measured_max_hr: int | None
    age_years: int | None


class CeilingUnavailable(ValueError):
    """The rule needs a value the person's profile lacks (its message says which)."""


def ceiling_bpm(limits: SafetyLimits, physiology: Physiology) -> int:
    """The ceiling in beats per minute for this person, rounded down (never up)."""
    rule, value = limits.ceiling.rule, limits.ceiling.value
    if rule == "bpm":
        return value
    rest = physiology.resting_hr
    if rest is None:
        raise CeilingUnavailable("The resting heart rate is unknown; it sets this ceiling.")
    if rule == "beta_blocker":
        return rest + value
    maximum = effective_max_heart_rate(physiology.measured_max_hr, physiology.age_years)
    if maximum is None:
        raise CeilingUnavailable("The maximum heart rate and the age are unknown.")
    if maximum.value <= rest:
        raise CeilingUnavailable("The maximum heart rate is not above the resting heart rate.")
    return int(rest + value * (maximum.value - rest) // 100)


@dataclass(frozen=True)
class CeilingState:
    """What the check remembers between batches of one session."""

    above: bool = False
    last_t: float | None = None
    time_above_s: float = 0.0  # over the whole session
    peak_over_bpm: float = 0.0  # the highest excess over the whole session
    crossings: int = 0
    # The open episode, while ``above``: when it began, its time above and peak so far.
    episode_started_at: float | None = None
    episode_time_s: float = 0.0
    episode_peak_over_bpm: float = 0.0


@dataclass(frozen=True)
class CeilingEvent:
    kind: Literal["crossed", "back_under"]
    t: float
    # For "crossed": the first sample's excess; for "back_under": the episode's time above and peak.
    peak_over_bpm: float
    time_above_s: float = 0.0


@dataclass(frozen=True)
class CeilingCheck:
    events: tuple[CeilingEvent, ...]
    state: CeilingState
    time_above_s: float  # in this batch
    peak_over_bpm: float  # in this batch (0 when nothing was over)


def ceiling_check(
    t: ArrayLike | Sequence[float],
    bpm: ArrayLike | Sequence[float],
    ceiling: float,
    state: CeilingState | None = None,
) -> CeilingCheck:
    """Check one batch of (time in seconds, heart rate) samples against the ceiling."""
    state = state or CeilingState()
    times = np.asarray(t, dtype=np.float64)
    rates = np.asarray(bpm, dtype=np.float64)
    valid = np.isfinite(times) & np.isfinite(rates) & (rates > 0)
    if state.last_t is not None:
        valid &= times > state.last_t
    times, rates = times[valid], rates[valid]
    if times.size == 0:
        return CeilingCheck((), state, 0.0, 0.0)
    if times.size > 1 and np.any(np.diff(times) < 0):
        order = np.argsort(times, kind="stable")
        times, rates = times[order], rates[order]
    if not state.above and rates.max() <= ceiling:
        # The common case, all under: nothing to report (kept cheap for the per-batch budget).
        return CeilingCheck((), replace(state, last_t=float(times[-1])), 0.0, 0.0)

    over = rates - ceiling
    above = over > 0
    prev_above = np.concatenate(([state.above], above[:-1]))
    prev_t = np.concatenate(([times[0] if state.last_t is None else state.last_t], times[:-1]))
    gaps = times - prev_t
    counted = np.where(prev_above & (gaps <= MAX_GAP_S), gaps, 0.0)
    # cum_time[i]: time above counted up to sample i (inclusive), within this batch.
    cum_time = np.cumsum(counted)
    over_only = np.where(above, over, -np.inf)
    crossed = np.flatnonzero(above & ~prev_above)
    under = np.flatnonzero(~above & prev_above)

    events: list[CeilingEvent] = []
    episode_start = -1 if state.above else None  # -1: the episode came open from the state
    episode_time_before = state.episode_time_s
    episode_peak_before = state.episode_peak_over_bpm
    started_at = state.episode_started_at
    for i in np.sort(np.concatenate((crossed, under))):
        if above[i]:
            episode_start, started_at = int(i), float(times[i])
            events.append(CeilingEvent("crossed", float(times[i]), float(over[i])))
            continue
        assert episode_start is not None
        if episode_start < 0:
            time_s = episode_time_before + float(cum_time[i])
            peak = max(episode_peak_before, float(over_only[:i].max(initial=0.0)))
        else:
            time_s = float(cum_time[i] - cum_time[episode_start])
            peak = float(over_only[episode_start:i].max())
        events.append(CeilingEvent("back_under", float(times[i]), peak, time_s))
        episode_start = None

    batch_time = float(cum_time[-1])
    batch_peak = float(over_only.max(initial=0.0))
    still_above = bool(above[-1])
    if still_above and episode_start is not None:
        if episode_start < 0:
            episode_time = episode_time_before + batch_time
            episode_peak = max(episode_peak_before, batch_peak)
        else:
            episode_time = float(cum_time[-1] - cum_time[episode_start])
            episode_peak = float(over_only[episode_start:].max())
    else:
        episode_time, episode_peak, started_at = 0.0, 0.0, None
    new_state = replace(
        state,
        above=still_above,
        last_t=float(times[-1]),
        time_above_s=state.time_above_s + batch_time,
        peak_over_bpm=max(state.peak_over_bpm, batch_peak),
        crossings=state.crossings + int(crossed.size),
        episode_started_at=started_at,
        episode_time_s=episode_time,
        episode_peak_over_bpm=episode_peak,
    )
    return CeilingCheck(tuple(events), new_state, batch_time, batch_peak)
