"""A rehabilitation program's plan, safety limits and progression rule, as the therapist writes
them (JSON) and as the rest of the code reads them (frozen dataclasses). No Django imports.

Plan: ``{"phases": [{"name", "weeks", "sessions_per_week", "sessions": [{"name", "exercises":
[{"exercise_id", "position"?, "sets", "reps"?, "hold_s"?, "duration_s"?, "rest_s"}]}]}]}``; each
exercise has at least one of reps, hold and duration. A phase's sessions are the templates the
person chooses from; it plans ``weeks x sessions_per_week`` sessions.

Limits: ``{"ceiling": {"rule": "bpm", "bpm"} | {"rule": "hrr_percent", "percent"} |
{"rule": "beta_blocker", "above_rest_bpm"}, "target_zone"?: {"unit": "bpm" | "hrr_percent", "low",
"high"}, "max_rpe", "target_rpe", "pain_stop"}`` (RPE on the Borg CR10 scale, pain 0-10).

Progression: ``{"consecutive_sessions", "max_pain"}``: advance to the next phase when that many
sessions in a row end with pain and RPE at or under the limits (see ``progression``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

MAX_PHASES = 12
MAX_SESSIONS_PER_PHASE = 7
MAX_EXERCISES_PER_SESSION = 30
CeilingRule = Literal["bpm", "hrr_percent", "beta_blocker"]
ZoneUnit = Literal["bpm", "hrr_percent"]
CEILING_RULES: tuple[CeilingRule, ...] = ("bpm", "hrr_percent", "beta_blocker")
ZONE_UNITS: tuple[ZoneUnit, ...] = ("bpm", "hrr_percent")
POSITIONS = ("seated", "standing")
# Above resting heart rate, the beta-blocker rule's default ceiling (see ``safety.ceiling_bpm``).
BETA_BLOCKER_DEFAULT_ABOVE_REST = 20


class PlanInvalid(ValueError):
    """What is wrong, by field path (``plan.phases[0].weeks``): the API's 400 fields."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class ExerciseTarget:
    exercise_id: int
    position: str | None
    sets: int
    reps: int | None
    hold_s: int | None
    duration_s: int | None
    rest_s: int


@dataclass(frozen=True)
class SessionTemplate:
    name: str
    exercises: tuple[ExerciseTarget, ...]


@dataclass(frozen=True)
class Phase:
    name: str
    weeks: int
    sessions_per_week: int
    sessions: tuple[SessionTemplate, ...]


@dataclass(frozen=True)
class Plan:
    phases: tuple[Phase, ...]

    def exercise_ids(self) -> set[int]:
        return {e.exercise_id for p in self.phases for s in p.sessions for e in s.exercises}


@dataclass(frozen=True)
class Ceiling:
    rule: CeilingRule
    value: int  # bpm, percent of heart-rate reserve, or bpm above resting


@dataclass(frozen=True)
class TargetZone:
    unit: ZoneUnit
    low: int
    high: int


@dataclass(frozen=True)
class SafetyLimits:
    ceiling: Ceiling
    target_zone: TargetZone | None
    max_rpe: int
    target_rpe: int
    pain_stop: int  # stop the session when pain reaches this (0-10)


@dataclass(frozen=True)
class ProgressionRule:
    consecutive_sessions: int
    max_pain: int
    max_rpe: int  # the limits' target RPE


class _Reader:
    """Collects every problem with its path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def obj(self, data: object, path: str) -> Mapping[str, Any]:
        if isinstance(data, Mapping):
            return data
        self.fail(path, "Expected an object.")
        return {}

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        low: int,
        high: int,
        *,
        optional: bool = False,
    ) -> int | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{path}.{key}", f"A whole number from {low} to {high}.")
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, longest: int = 80) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > longest:
            self.fail(f"{path}.{key}", f"Text of 1 to {longest} characters.")
            return ""
        return value.strip()

    def items(self, data: Mapping[str, Any], key: str, path: str, most: int) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not 1 <= len(value) <= most:
            self.fail(f"{path}.{key}", f"A list of 1 to {most} items.")
            return []
        return value

    def done(self) -> None:
        if self.errors:
            raise PlanInvalid(self.errors)


def _target(r: _Reader, data: object, path: str) -> ExerciseTarget:
    d = r.obj(data, path)
    exercise_id = r.integer(d, "exercise_id", path, 1, 2**31 - 1)
    position = d.get("position")
    if position is not None and position not in POSITIONS:
        r.fail(f"{path}.position", "seated or standing.")
    reps = r.integer(d, "reps", path, 1, 200, optional=True)
    hold_s = r.integer(d, "hold_s", path, 1, 600, optional=True)
    duration_s = r.integer(d, "duration_s", path, 1, 7200, optional=True)
    if reps is None and hold_s is None and duration_s is None and not r.errors.get(f"{path}.reps"):
        r.fail(f"{path}.reps", "Set reps, hold_s or duration_s.")
    return ExerciseTarget(
        exercise_id=exercise_id or 0,
        position=position if position in POSITIONS else None,
        sets=r.integer(d, "sets", path, 1, 20) or 1,
        reps=reps,
        hold_s=hold_s,
        duration_s=duration_s,
        rest_s=r.integer(d, "rest_s", path, 0, 900) or 0,
    )


def plan_from_json(data: object) -> Plan:
    """The plan, or PlanInvalid naming every problem."""
    r = _Reader()
    root = r.obj(data, "plan")
    phases = []
    for i, raw_phase in enumerate(r.items(root, "phases", "plan", MAX_PHASES)):
        path = f"plan.phases[{i}]"
        p = r.obj(raw_phase, path)
        sessions = []
        for j, raw_session in enumerate(r.items(p, "sessions", path, MAX_SESSIONS_PER_PHASE)):
            spath = f"{path}.sessions[{j}]"
            s = r.obj(raw_session, spath)
            exercises = tuple(
                _target(r, raw, f"{spath}.exercises[{k}]")
                for k, raw in enumerate(r.items(s, "exercises", spath, MAX_EXERCISES_PER_SESSION))
            )
            sessions.append(SessionTemplate(name=r.text(s, "name", spath), exercises=exercises))
        phases.append(
            Phase(
                name=r.text(p, "name", path),
                weeks=r.integer(p, "weeks", path, 1, 52) or 1,
                sessions_per_week=r.integer(p, "sessions_per_week", path, 1, 14) or 1,
                sessions=tuple(sessions),
            )
        )
    r.done()
    return Plan(phases=tuple(phases))


def limits_from_json(data: object) -> SafetyLimits:
    """The safety limits, or PlanInvalid naming every problem."""
    r = _Reader()
    root = r.obj(data, "limits")
    c = r.obj(root.get("ceiling"), "limits.ceiling")
    rule = c.get("rule")
    value: int | None = None
    if rule == "bpm":
        value = r.integer(c, "bpm", "limits.ceiling", 60, 220)
    elif rule == "hrr_percent":
        value = r.integer(c, "percent", "limits.ceiling", 30, 90)
    elif rule == "beta_blocker":
        c = {"above_rest_bpm": BETA_BLOCKER_DEFAULT_ABOVE_REST, **c}
        value = r.integer(c, "above_rest_bpm", "limits.ceiling", 10, 40)
    else:
        r.fail("limits.ceiling.rule", f"One of {', '.join(CEILING_RULES)}.")
    zone: TargetZone | None = None
    if root.get("target_zone") is not None:
        z = r.obj(root.get("target_zone"), "limits.target_zone")
        unit = z.get("unit")
        if unit not in ZONE_UNITS:
            r.fail("limits.target_zone.unit", "bpm or hrr_percent.")
        top = 220 if unit == "bpm" else 100
        low = r.integer(z, "low", "limits.target_zone", 0, top)
        high = r.integer(z, "high", "limits.target_zone", 0, top)
        if low is not None and high is not None:
            if low >= high:
                r.fail("limits.target_zone.high", "Above low.")
            zone = TargetZone(unit=cast(ZoneUnit, unit), low=low, high=high)
    max_rpe = r.integer(root, "max_rpe", "limits", 1, 10)
    target_rpe = r.integer(root, "target_rpe", "limits", 0, 10)
    if max_rpe is not None and target_rpe is not None and target_rpe > max_rpe:
        r.fail("limits.target_rpe", "At most max_rpe.")
    pain_stop = r.integer(root, "pain_stop", "limits", 1, 10)
    r.done()
    assert value is not None
    assert max_rpe is not None
    assert target_rpe is not None
    assert pain_stop is not None
    return SafetyLimits(
        ceiling=Ceiling(rule=cast(CeilingRule, rule), value=value),
        target_zone=zone,
        max_rpe=max_rpe,
        target_rpe=target_rpe,
        pain_stop=pain_stop,
    )


def progression_from_json(data: object, limits: SafetyLimits) -> ProgressionRule:
    """The progression rule (defaults: two sessions in a row, pain at most 3), or PlanInvalid."""
    r = _Reader()
    root = {"consecutive_sessions": 2, "max_pain": 3, **r.obj(data or {}, "progression")}
    consecutive = r.integer(root, "consecutive_sessions", "progression", 1, 10)
    max_pain = r.integer(root, "max_pain", "progression", 0, 10)
    if max_pain is not None and max_pain >= limits.pain_stop:
        r.fail("progression.max_pain", "Below the pain stop rule.")
    r.done()
    assert consecutive is not None
    assert max_pain is not None
    return ProgressionRule(
        consecutive_sessions=consecutive, max_pain=max_pain, max_rpe=limits.target_rpe
    )


@dataclass(frozen=True)
class Program:
    plan: Plan
    limits: SafetyLimits
    progression: ProgressionRule


def program_from_json(plan: object, limits: object, progression: object) -> Program:
    """A version's whole content, or PlanInvalid naming every problem of all three parts."""
    errors: dict[str, list[str]] = {}
    parsed_plan = parsed_limits = None
    try:
        parsed_plan = plan_from_json(plan)
    except PlanInvalid as exc:
        errors.update(exc.fields)
    try:
        parsed_limits = limits_from_json(limits)
        parsed_progression = progression_from_json(progression, parsed_limits)
    except PlanInvalid as exc:
        errors.update(exc.fields)
    if errors or parsed_plan is None or parsed_limits is None:
        raise PlanInvalid(errors)
    return Program(plan=parsed_plan, limits=parsed_limits, progression=parsed_progression)
