"""The scoring rules' constants, each explained in SCORING.md under the same name, and the frame's columns."""

from __future__ import annotations

COLUMNS = ("t", "hr", "cadence", "speed", "distance", "power", "altitude", "lat", "lon")
SEXES = ("female", "male")
HEART_RATE_ZONES = 5

# --- Constants (each is explained in SCORING.md) --------------------------------------------------
# Without timer events a sample stands for at most GAP_S, or GAP_SPACINGS times the recording's
# typical (median) spacing if that is longer: a phone app's point every 30 s is no pause.
GAP_S = 10.0
GAP_SPACINGS = 3.0
GAP_SPACING_SAMPLES = 600  # the typical spacing is the median of the first 600 steps
MOVING_SPEED_MPS = 0.5  # slower than a slow walk: standing still (GPS drift)
HR_MIN, HR_MAX = 25.0, 230.0  # outside: not a human heart rate (0 means "no skin contact")
RESTING_HR_DEFAULT = 70.0  # typical adult resting heart rate, used only when none is set
LTHR_FRACTION_OF_MAX = 0.90  # rule-of-thumb lactate threshold when none is set
KARVONEN_ZONES = (0.5, 0.6, 0.7, 0.8, 0.9)  # fractions of heart-rate reserve opening zones 1..5
EDWARDS_ZONES = (0.5, 0.6, 0.7, 0.8, 0.9)  # fractions of maximum heart rate opening zones 1..5
BANISTER = {"male": (0.64, 1.92), "female": (0.86, 1.67)}  # (a, b) in a * x * exp(b * x)
KEYTEL = {  # kJ/min = c0 + c_hr * HR + c_w * weight + c_age * age (Keytel et al. 2005, no VO2max)
    "male": (-55.0969, 0.6309, 0.1988, 0.2017),
    "female": (-20.4022, 0.4472, -0.1263, 0.0740),
}
KJ_PER_KCAL = 4.184
KCAL_PER_KG_MIN_PER_MET = 0.0175  # 1 MET = 3.5 ml O2/kg/min, about 1 kcal/kg/h
WEIGHT_DEFAULT_KG = 70.0  # used for energy only, when no weight is set; points never use weight
# Ainsworth 2011; rehabilitation as light calisthenics / home exercise (2.8 MET)
MET_TABLE = {"run": 8.0, "ride": 7.5, "walk": 3.5, "yoga": 2.5, "other": 4.0, "rehab": 2.8}
MET_RIDE_INDOOR = 7.0
CYCLING_GROSS_EFFICIENCY = 0.22  # typical gross efficiency (Ettema & Loras 2009: ~18-23 %)
WATTS_PER_KCAL_MIN = 4184.0 / 60.0
RUN_WALK_SPEED_SPLIT_MPS = 2.2  # ACSM: walking equation below ~134 m/min, running above
MODERATE_MET = 3.0  # WHO/ACSM moderate-intensity threshold: an "active" minute
# Elevation: altitude averaged over blocks of this many seconds, then a climb counts once it rises
# this far above the lowest point since the last descent (and ends with a drop as large).
SMOOTH_ALTITUDE_S = 10.0  # barometric: 0.1-0.2 m resolution, drift well under 1 m a minute
CLIMB_HYSTERESIS_M = 2.0
SMOOTH_ALTITUDE_GPS_S = 60.0  # GPS altitude wanders metres with tens of seconds of memory
CLIMB_HYSTERESIS_GPS_M = 5.0
GPS_ALTITUDE_NOISE_M = 1.0  # mean |second difference| of raw altitude above this: GPS altitude
ALTITUDE_NOISE_SAMPLES = 600  # the noise is judged on the first ten minutes at 1 Hz
# A top speed must last this many samples: a speed sensor's glitch is one sample, a GPS position
# off the track makes two (there and back).
SPEED_HELD_SAMPLES = 2
SPEED_HELD_GPS_SAMPLES = 3
# A distance counter whose first value is within what the sport covers in this long started with
# the recording (FIT counts from the timer's start); a larger one is a device's running total.
COUNTER_FROM_ZERO_S = 10.0
HRV_MIN_BEATS = 20
RR_MIN_MS, RR_MAX_MS = 300.0, 2000.0  # 200 to 30 beats/min
RR_MAX_DEVIATION = 0.20  # a beat over 20 % off the median of its four neighbours is an artefact
CTL_DAYS, ATL_DAYS = 42.0, 7.0
METRES_PER_POINT = 17.5  # an hour's run at 10 km/h (~570 points) advances a journey ~10 km
XP_LEVEL_BASE = 500.0
XP_LEVEL_EXPONENT = 1.5
# plausibility
# Rehabilitation moves at walking speed at most (walking intervals, a stationary bike has none).
MAX_SPEED_MPS = {"run": 12.5, "walk": 4.5, "ride": 30.0, "yoga": 3.0, "other": 30.0, "rehab": 4.5}
MAX_CADENCE = {
    "run": 260.0, "walk": 260.0, "ride": 220.0, "yoga": 260.0, "other": 260.0, "rehab": 260.0
}  # fmt: skip
MIN_TURNING_CADENCE = {"run": 30.0, "walk": 30.0}  # below: stopping; a bike freewheels at any
MAX_STEP_LENGTH_M = 3.0  # run/walk: speed / step rate
IMPLAUSIBLE_FOR_S = 10.0  # tolerate this much implausible speed/cadence (sensor glitches)
# Sustained speed, whatever the sport: the mean speed over any stretch of this much recorded time
# (speeds clipped at MAX_SPEED_MPS first, so a GPS glitch adds little) above what a person holds
# that long. A minute: run 10 m/s (the 400 m record averages 9.3 m/s), ride and other 100 km/h
# (a descent touches 110 km/h for seconds, not for a minute). Ten minutes: run 7 m/s (the 3000 m
# record averages 6.8 m/s), ride and other 75 km/h (the hour record is 56.8 km/h; an alpine
# descent with its bends averages far less over ten minutes, and a downhill ski race lasts ~2.5).
# Walk and yoga keep their top speed. A car, train or lift leaves these behind within minutes.
SUSTAINED_SPEED_MPS = (
    (60.0, {"run": 10.0, "walk": 4.5, "ride": 27.8, "yoga": 3.0, "other": 27.8, "rehab": 4.5}),
    (600.0, {"run": 7.0, "walk": 4.5, "ride": 20.8, "yoga": 3.0, "other": 20.8, "rehab": 4.5}),
)
JUMP_MIN_M = 50.0
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
GAP_FLAG_S = 3 * 3600.0  # longer than any café or lunch stop: likely two activities in one
MAX_DURATION_S = 24 * 3600.0
EARLIEST_T = 946684800.0  # 2000-01-01: earlier means the device clock was never set
FUTURE_TOLERANCE_S = 300.0
# A workout without samples is scored for at most this long of its sport's typical effort, and is
# flagged ``no_samples``: it counts for no leaderboard until an organizer accepts it.
SAMPLELESS_MAX_S = 3 * 3600.0
