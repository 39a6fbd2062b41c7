"""One sentence per metric of a scored workout: what it is and how its number came about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wellness.scoring.rules import (
    CLIMB_HYSTERESIS_GPS_M,
    CLIMB_HYSTERESIS_M,
    GAP_S,
    HRV_MIN_BEATS,
    LTHR_FRACTION_OF_MAX,
    METRES_PER_POINT,
    MOVING_SPEED_MPS,
    RESTING_HR_DEFAULT,
    RR_MAX_DEVIATION,
    RR_MAX_MS,
    RR_MIN_MS,
    SMOOTH_ALTITUDE_GPS_S,
    SMOOTH_ALTITUDE_S,
    SPEED_HELD_GPS_SAMPLES,
    SPEED_HELD_SAMPLES,
)

if TYPE_CHECKING:
    from wellness.scoring.results import WorkoutScore


def explain_score(s: WorkoutScore) -> dict[str, str]:
    e: dict[str, str] = {}
    _explain_movement(s, e)
    _explain_heart_rate(s, e)
    _explain_training_load(s, e)
    _explain_energy(s, e)
    _explain_hrv(s, e)
    _explain_rewards(s, e)
    _explain_flags(s, e)
    return e


def _explain_movement(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on duration, moving time, distance, speed, pace and climb."""
    paused = (
        "the device's timer was stopped in the rest"
        if s.timer_pauses
        else f"silences over {GAP_S:.0f} s, or three times a sparse recording's usual spacing, "
        "count as paused"
    )
    e["duration"] = (
        f"{_clock(s.duration_s)} from start to finish; {_clock(s.recorded_s)} of it recorded "
        f"({paused})."
    )
    if s.distance_source == "none" and s.sport != "yoga":
        e["moving_time"] = (
            "Nothing measured speed, distance or position, so all recorded time counts as moving."
        )
    elif s.sport == "yoga" and s.distance_source == "none":
        e["moving_time"] = "Yoga has no moving time."
    else:
        e["moving_time"] = (
            f"{_clock(s.moving_time_s)} at {MOVING_SPEED_MPS} m/s or faster; stops are left out."
        )
    source = {
        "device": "your device's distance counter",
        "speed": "speed x time",
        "gps": "the length of the track between your GPS positions",
    }.get(s.distance_source)
    e["distance"] = (
        f"{s.distance_m / 1000:.2f} km from {source}."
        if source
        else "No distance: nothing measured speed, distance or position."
    )
    e["speed"] = (
        f"Average {s.avg_speed_mps * 3.6:.1f} km/h (distance / moving time), top "
        f"{s.max_speed_mps * 3.6:.1f} km/h (held for {SPEED_HELD_SAMPLES} samples, "
        f"{SPEED_HELD_GPS_SAMPLES} from GPS positions, so a glitch is not a top speed)."
    )
    e["pace"] = (
        f"{_clock(s.pace_s_per_km)} per km: moving time divided by kilometres."
        if s.pace_s_per_km is not None
        else "Pace is shown for runs and walks with a distance."
    )
    e["elevation_gain"] = (
        f"{s.elevation_gain_m:.0f} m climbed: altitude averaged over {SMOOTH_ALTITUDE_S:.0f} s "
        f"({SMOOTH_ALTITUDE_GPS_S:.0f} s for noisy GPS altitude), each climb counted from its "
        f"low to its high once it rose {CLIMB_HYSTERESIS_M:.0f} m ({CLIMB_HYSTERESIS_GPS_M:.0f} m "
        "with GPS altitude), so sensor noise does not add up."
    )


def _explain_heart_rate(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on cadence, heart rate and zones."""
    if s.cadence_avg is not None and s.cadence_max is not None:
        unit = "rpm" if s.sport == "ride" else "steps/min"
        e["cadence"] = (
            f"Average {s.cadence_avg:.0f} {unit} over the time you were "
            f"{'pedalling' if s.sport == 'ride' else 'stepping'}, top {s.cadence_max:.0f}."
        )
    else:
        e["cadence"] = "No cadence was recorded."
    if s.hr_avg is not None and s.hr_max is not None:
        e["heart_rate"] = (
            f"Average {s.hr_avg:.0f} bpm (weighted by time), highest {s.hr_max:.0f} bpm."
        )
    else:
        e["heart_rate"] = "No heart rate was recorded."
    e["zones"] = _explain_zones(s)


def _explain_training_load(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on TRIMP and training load, naming which of the person's values were estimated."""
    if s.lthr_used is not None and s.max_hr_used is not None:
        rest = (
            f"a typical resting heart rate of {RESTING_HR_DEFAULT:.0f} bpm (set yours)"
            if s.resting_hr_estimated
            else f"your resting heart rate {s.resting_hr_used:.0f}"
        )
        maximum = (
            f"a maximum of {s.max_hr_used:.0f} estimated from your age (208 - 0.7 x age)"
            if s.max_hr_estimated
            else f"your maximum heart rate {s.max_hr_used:.0f}"
        )
        sex = (
            f"the {s.sex_used} coefficients"
            if s.sex_used
            else "the mean of the male and female coefficients (sex not set)"
        )
        e["trimp_banister"] = (
            f"{s.trimp_banister:.0f}: every second's share x of your heart-rate reserve (from "
            f"{rest} and {maximum}) weighted by a*x*e^(b*x) with {sex}, summed in minutes."
        )
        e["trimp_edwards"] = (
            f"{s.trimp_edwards:.0f}: minutes in each zone of maximum heart rate (50-60 % up to "
            "90-100 %) times the zone number 1-5, summed."
        )
        threshold = (
            f"estimated at {LTHR_FRACTION_OF_MAX:.0%} of maximum heart rate"
            if s.lthr_estimated
            else "your lactate-threshold heart rate"
        )
        e["training_load"] = (
            f"{s.training_load:.0f}: your Banister TRIMP as a share of one hour at "
            f"{s.lthr_used:.0f} bpm ({threshold}); 100 is as hard as an hour at threshold."
        )
    else:
        why = (
            "no heart rate was recorded"
            if s.hr_avg is None
            else "it needs your age or maximum heart rate"
        )
        for key in ("trimp_banister", "trimp_edwards", "training_load"):
            e[key] = f"Not computed: {why}."


def _explain_energy(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on energy, and which equation gave it."""
    weight = " and an assumed 70 kg (set your weight)" if s.weight_estimated else ""
    if s.energy_method == "met":
        e["energy"] = (
            f"{s.energy_kcal:.0f} kcal from the typical effort of {s.sport} (MET values, "
            f"Ainsworth 2011) or your speed or power{weight}."
        )
    elif s.energy_met_s > 0:
        e["energy"] = (
            f"{s.energy_kcal:.0f} kcal: {s.energy_kcal - s.energy_met_kcal:.0f} kcal from your "
            f"heart rate, age, weight and sex ({s.sex_used or 'mean of both'}) with Keytel's "
            f"2005 equation over {_clock(s.hr_seconds)}, and {s.energy_met_kcal:.0f} kcal over "
            f"the {_clock(s.energy_met_s)} without heart rate (the strap was silent) from your "
            f"speed or power or the typical effort of {s.sport} (MET values, Ainsworth 2011)."
        )
    else:
        extra = " (MET estimates where heart rate was missing)" if "met" in s.energy_method else ""
        e["energy"] = (
            f"{s.energy_kcal:.0f} kcal from your heart rate, age, weight and sex "
            f"({s.sex_used or 'mean of both'}) with Keytel's 2005 equation{extra}."
        )


def _explain_hrv(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on heart-rate variability."""
    if s.rmssd_ms is not None and s.sdnn_ms is not None:
        e["hrv"] = (
            f"RMSSD {s.rmssd_ms:.0f} ms (beat-to-beat variation) and SDNN {s.sdnn_ms:.0f} ms "
            f"(overall spread) from {s.rr_beats} beats; {s.rr_artefacts} artefact(s) outside "
            f"{RR_MIN_MS:.0f}-{RR_MAX_MS:.0f} ms or over {RR_MAX_DEVIATION:.0%} off the median "
            "of the two beats before and after were removed."
        )
    elif s.rr_beats or s.rr_artefacts:
        e["hrv"] = (
            f"Not computed: {s.rr_beats} clean beats after removing {s.rr_artefacts} "
            f"artefact(s); at least {HRV_MIN_BEATS} are needed."
        )
    else:
        e["hrv"] = "No RR intervals were recorded (a chest strap records them)."


def _explain_rewards(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on points, journey distance, active and mindful minutes."""
    e["points"] = (
        f"{s.points} points: one per minute of effort above rest, weighted by intensity "
        "(MET - 1) from your heart rate, speed or power, or your sport's typical effort, "
        "whichever is higher. The same rule applies to every sport."
    )
    e["effort_distance"] = (
        f"{s.effort_distance_m / 1000:.2f} km on journeys: {METRES_PER_POINT} m per point, so "
        "effort moves you, not only distance."
    )
    e["active_minutes"] = (
        f"{s.active_minutes:.0f} min moving or at moderate intensity or above (3 MET or more)."
    )
    if s.sport == "yoga":
        e["mindful_minutes"] = f"{s.mindful_minutes:.0f} min of yoga."
    elif s.mindful_minutes > 0:
        e["mindful_minutes"] = (
            f"{s.mindful_minutes:.0f} min of breathing practice in the class (its segments with "
            "a breathing pattern)."
        )
    else:
        e["mindful_minutes"] = (
            "Only yoga and the breathing segments of a class count mindful minutes."
        )


def _explain_flags(s: WorkoutScore, e: dict[str, str]) -> None:
    """Sentences on plausibility."""
    e["flags"] = (
        " ".join(flag.reason for flag in s.flags)
        + " The workout is kept but counts for no leaderboard until an organizer accepts it."
        if s.flags
        else "All plausibility checks passed."
    )


def _explain_zones(s: WorkoutScore) -> str:
    if s.zone_bounds is None:
        return "No zones: set your age or maximum heart rate in your profile."
    how = {
        "karvonen": "50/60/70/80/90 % of your heart-rate reserve (Karvonen)",
        "percent_max": "50/60/70/80/90 % of your maximum heart rate (no resting heart rate set)",
        "custom": "your own zone bounds",
    }[s.zone_method]
    opens = ", ".join(f"{b:.0f}" for b in s.zone_bounds)
    if s.hr_avg is None:
        return f"Zones open at {opens} bpm ({how}); no heart rate was recorded."
    spent = ", ".join(f"Z{i} {sec / 60:.0f} min" for i, sec in enumerate(s.zone_seconds, start=1))
    return f"{spent}. Zones open at {opens} bpm: {how}."


def _clock(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
