"""The scoring rules' constants, each explained in SCORING.md under the same name, and the frame's columns."""

from __future__ import annotations

COLUMNS = ("t", "hr", "cadence", "speed", "distance", "power", "altitude", "lat", "lon")
SEXES = ("female", "male")
HEART_RATE_ZONES = 5

# --- Constants (each is explained in SCORING.md) --------------------------------------------------
GAP_S = 10.0  # a sample stands for at most this long; longer silences count as paused
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
MET_TABLE = {"run": 8.0, "ride": 7.5, "walk": 3.5, "yoga": 2.5, "other": 4.0}  # Ainsworth 2011
MET_RIDE_INDOOR = 7.0
CYCLING_GROSS_EFFICIENCY = 0.22  # typical gross efficiency (Ettema & Loras 2009: ~18-23 %)
WATTS_PER_KCAL_MIN = 4184.0 / 60.0
RUN_WALK_SPEED_SPLIT_MPS = 2.2  # ACSM: walking equation below ~134 m/min, running above
MODERATE_MET = 3.0  # WHO/ACSM moderate-intensity threshold: an "active" minute
SMOOTH_ALTITUDE_SAMPLES = 10
CLIMB_THRESHOLD_M = 1.0  # a climb counts once smoothed altitude rose monotonically this much
HRV_MIN_BEATS = 20
RR_MIN_MS, RR_MAX_MS = 300.0, 2000.0  # 200 to 30 beats/min
RR_MAX_CHANGE = 0.20  # a beat more than 20 % off the previous one is an artefact (Malik 1989)
CTL_DAYS, ATL_DAYS = 42.0, 7.0
METRES_PER_POINT = 17.5  # an hour's run at 10 km/h (~570 points) advances a journey ~10 km
XP_LEVEL_BASE = 500.0
XP_LEVEL_EXPONENT = 1.5
# plausibility
MAX_SPEED_MPS = {"run": 12.5, "walk": 4.5, "ride": 30.0, "yoga": 3.0, "other": 30.0}
MAX_CADENCE = {"run": 260.0, "walk": 260.0, "ride": 220.0, "yoga": 260.0, "other": 260.0}
MIN_TURNING_CADENCE = {"run": 30.0, "walk": 30.0, "ride": 20.0}  # below: coasting, stopping
MAX_STEP_LENGTH_M = 3.0  # run/walk: speed / step rate
MAX_DEVELOPMENT_M = 12.0  # ride: metres per crank revolution (53x11 on a road wheel is ~10 m)
IMPLAUSIBLE_FOR_S = 10.0  # tolerate this much implausible speed/cadence (sensor glitches)
JUMP_MIN_M = 50.0
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
GAP_FLAG_S = 900.0
MAX_DURATION_S = 24 * 3600.0
EARLIEST_T = 946684800.0  # 2000-01-01: earlier means the device clock was never set
FUTURE_TOLERANCE_S = 300.0
# A workout without samples is scored for at most this long of its sport's typical effort.
SAMPLELESS_MAX_S = 3 * 3600.0
