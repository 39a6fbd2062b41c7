"""Plausibility checks: what makes a workout count for no leaderboard until an organizer accepts it."""

from __future__ import annotations

import time

import numpy as np

from wellness.scoring.arrays import Array, any_, max_
from wellness.scoring.results import Flag
from wellness.scoring.rules import (
    EARLIEST_T,
    FUTURE_TOLERANCE_S,
    GAP_FLAG_S,
    IMPLAUSIBLE_FOR_S,
    JUMP_MIN_M,
    MAX_CADENCE,
    MAX_DURATION_S,
    MAX_SPEED_MPS,
    MAX_STEP_LENGTH_M,
    MIN_TURNING_CADENCE,
    SUSTAINED_SPEED_MPS,
)


def check_clock(t: Array, step: Array, span_s: float, now: float | None, flags: list[Flag]) -> None:
    if t[0] < EARLIEST_T:
        flags.append(
            Flag(
                "clock_error", "Sample times are before the year 2000: the device clock is not set."
            )
        )
    limit = (time.time() if now is None else now) + FUTURE_TOLERANCE_S
    if t[-1] > limit:
        flags.append(
            Flag("clock_error", "Sample times lie in the future: the device clock is off.")
        )
    if span_s > MAX_DURATION_S:
        flags.append(Flag("clock_error", f"The samples span {span_s / 3600:.0f} hours."))
    # A café stop is a pause, not implausible data: only a gap longer than any stop counts.
    if step.size and max_(step) > GAP_FLAG_S:
        flags.append(
            Flag(
                "gap",
                f"Recording stopped for {step.max() / 3600:.1f} hours in the middle: the parts "
                "before and after may be separate activities.",
            )
        )


def check_distance_jumps(d: Array, step: Array, sport: str, flags: list[Flag]) -> None:
    delta = d[1:] - d[:-1]
    if delta.size == 0:
        return
    if np.fmax.reduce(delta) > JUMP_MIN_M:
        jumps = (delta > JUMP_MIN_M) & (delta > MAX_SPEED_MPS[sport] * step)
        if any_(jumps):
            flags.append(
                Flag(
                    "distance_jump",
                    f"The distance jumped {float(delta[jumps].max()):.0f} m faster than anyone "
                    f"can {sport}.",
                )
            )
    if np.fmin.reduce(delta) < -JUMP_MIN_M / 10:
        flags.append(Flag("distance_jump", "The distance counter went backwards."))


def check_motion(
    v0: Array | None,
    c0: Array,
    cadence_top: float,
    max_speed: float,
    hold: Array,
    sport: str,
    flags: list[Flag],
) -> None:
    too_fast = False
    if v0 is not None and max_speed > MAX_SPEED_MPS[sport]:
        fast_s = float(hold @ (v0 > MAX_SPEED_MPS[sport]))
        too_fast = fast_s > IMPLAUSIBLE_FOR_S
        if too_fast:
            flags.append(
                Flag(
                    "speed_implausible",
                    f"{fast_s:.0f} s faster than {MAX_SPEED_MPS[sport] * 3.6:.0f} km/h, which no "
                    f"one reaches on a {sport}.",
                )
            )
    if v0 is not None and not too_fast:  # one speed flag says it
        check_sustained_speed(v0, max_speed, hold, sport, flags)
    if cadence_top > MAX_CADENCE[sport]:
        high_s = float(hold @ (c0 > MAX_CADENCE[sport]))
        if high_s > IMPLAUSIBLE_FOR_S:
            flags.append(
                Flag(
                    "cadence_implausible",
                    f"{high_s:.0f} s with cadence above {MAX_CADENCE[sport]:.0f}, beyond human "
                    "limits.",
                )
            )
    # Runners and walkers have no freewheel: speed per step is bounded. A bike coasts and is
    # soft-pedalled at any cadence, so its speed per pedal turn proves nothing.
    if v0 is not None and cadence_top > 0 and sport in MIN_TURNING_CADENCE:
        least = MIN_TURNING_CADENCE[sport]
        # speed / (cadence / 60) > limit, written without a division by a zero cadence
        odd = (c0 >= least) & (v0 * 60.0 > c0 * MAX_STEP_LENGTH_M)
        if any_(odd):
            odd_s = float(hold @ odd)
            if odd_s > IMPLAUSIBLE_FOR_S:
                flags.append(
                    Flag(
                        "cadence_speed_mismatch",
                        f"{odd_s:.0f} s at a speed and cadence that mean over "
                        f"{MAX_STEP_LENGTH_M:.0f} metres per step: the sensor was probably not "
                        "on a person.",
                    )
                )


def check_sustained_speed(
    v0: Array, max_speed: float, hold: Array, sport: str, flags: list[Flag]
) -> None:
    """Flag a mean speed over a minute, or ten, that no one holds that long in any sport: a car
    drive uploaded as ``other`` (SUSTAINED_SPEED_MPS explains the limits)."""
    if max_speed <= min(limits[sport] for _, limits in SUSTAINED_SPEED_MPS):
        # The common case costs nothing more: a mean above the held top speed would take
        # one-sample glitches, which are no sustained speed.
        return
    # Distance and recorded time (pauses left out) from the start, at each sample's start.
    clipped = np.fmin(v0, MAX_SPEED_MPS[sport]) * hold
    covered = np.concatenate(([0.0], np.cumsum(clipped)))
    elapsed = np.concatenate(([0.0], np.cumsum(hold)))
    for window_s, limits in SUSTAINED_SPEED_MPS:
        if elapsed[-1] < window_s or max_speed <= limits[sport]:
            continue
        starts = elapsed[:-1]
        ends = np.searchsorted(elapsed, starts + window_s)
        inside = ends < elapsed.size
        first, last = np.flatnonzero(inside), ends[inside]
        mean = (covered[last] - covered[first]) / (elapsed[last] - elapsed[first])
        fastest = float(max_(mean)) if mean.size else 0.0
        if fastest > limits[sport]:
            flags.append(
                Flag(
                    "speed_sustained",
                    f"{fastest * 3.6:.0f} km/h on average over {window_s / 60:.0f} min, more "
                    f"than anyone holds that long under their own power ({sport}): a car, "
                    "train or lift?",
                )
            )
            return
