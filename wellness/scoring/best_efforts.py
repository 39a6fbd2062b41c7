"""Best efforts inside one workout: fastest standard distances, highest average power. No Django.

Computed at scoring from arrays scoring already has, so they cost a few vector operations:
the time at which each distance was reached, on a grid of :data:`DISTANCE_GRID_M`, gives every
fastest distance as one subtraction and one minimum; the work done, on a one-second grid, gives
every best average power the same way. The efforts and their resolution are described in
``wellness/SCORING.md`` ("Personal records").
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

# name -> metres; the names are what the API and the workout page show
RUN_DISTANCES: dict[str, float] = {
    "400 m": 400.0,
    "1 km": 1000.0,
    "1 mile": 1609.344,
    "5 km": 5000.0,
    "10 km": 10000.0,
    "half marathon": 21097.5,
    "marathon": 42195.0,
}
RIDE_DISTANCES: dict[str, float] = {"10 km": 10000.0, "40 km": 40000.0}
# name -> seconds of the window for the best average power
RIDE_POWER_WINDOWS: dict[str, int] = {
    "5 s": 5,
    "1 min": 60,
    "5 min": 300,
    "20 min": 1200,
    "60 min": 3600,
}
DISTANCE_GRID_M = (
    10.0  # efforts start and end every 10 m: a second or two of a pace, exact at a steady one
)

DISTANCES_BY_SPORT = {"run": RUN_DISTANCES, "ride": RIDE_DISTANCES}


def fastest_times(t: Array, covered: Array, distances: dict[str, float]) -> dict[str, float]:
    """Fewest seconds in which each of ``distances`` (metres) was covered.

    ``t`` are increasing sample times and ``covered`` the distance covered by each (cumulative,
    any NaN already removed). A distance longer than the workout's is left out.
    """
    if t.size < 2:
        return {}
    rise = covered[1:] - covered[:-1]
    if not float(np.minimum.reduce(rise)) >= 0.0:  # a counter glitch going backwards
        covered = np.maximum.accumulate(covered)
        rise = covered[1:] - covered[:-1]
    start = float(covered[0])
    total = float(covered[-1]) - start
    wanted = {name: metres for name, metres in distances.items() if metres <= total}
    if not wanted:
        return {}
    grid = np.arange(start, start + total + DISTANCE_GRID_M / 2, DISTANCE_GRID_M)
    # An effort starts when one leaves a distance: on the repeated values of a stop,
    # interpolation takes the last time.
    leaving = np.interp(grid, covered, t)
    # It ends on arriving: the first time instead, which differs only where a stop's distance
    # is exactly a grid point (rare; corrected point by point).
    arriving = leaving
    stopped_at = (covered[1:][rise == 0.0] - start) / DISTANCE_GRID_M
    on_grid = stopped_at[stopped_at == np.rint(stopped_at)].astype(np.intp)
    if on_grid.size:
        arriving = leaving.copy()
        arriving[on_grid] = t[np.searchsorted(covered, grid[on_grid], side="left")]
    best: dict[str, float] = {}
    for name, metres in wanted.items():
        steps = round(metres / DISTANCE_GRID_M)
        if steps >= grid.size:
            continue
        best[name] = float(np.subtract(arriving[steps:], leaving[:-steps]).min())
    return best


def best_powers(t: Array, power: Array, hold: Array, windows: dict[str, int]) -> dict[str, float]:
    """Highest average power (W) over each window (seconds) that fits in the workout.

    ``hold`` is how long each sample's power counts (as scoring integrates it); samples without
    power count as 0 W, like a power meter's coasting.
    """
    if t.size < 2:
        return {}
    work = np.concatenate(([0.0], np.cumsum(np.where(np.isfinite(power), power, 0.0) * hold)))
    # Work grows while a sample's power holds (t to t + hold) and stays flat in a gap after it.
    when = np.empty(2 * t.size)
    when[0::2], when[1::2] = t, t + hold
    done_at = np.empty(2 * t.size)
    done_at[0::2], done_at[1::2] = work[:-1], work[1:]
    span = float(when[-1] - when[0])
    wanted = {name: seconds for name, seconds in windows.items() if seconds <= span}
    if not wanted:
        return {}
    clock = np.arange(when[0], when[-1] + 0.5, 1.0)
    done = np.interp(clock, when, done_at)
    best: dict[str, float] = {}
    for name, seconds in wanted.items():
        if seconds >= clock.size:
            continue
        best[name] = float(np.subtract(done[seconds:], done[:-seconds]).max()) / seconds
    return best
