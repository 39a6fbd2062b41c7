"""Rehabilitation's part of a person's data export, and its erasure with their health data."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from wellness.care.models import RehabExerciseLog, RehabProgram, RehabSession
from wellness.people.models import User


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def rehabilitation_export(user: User) -> list[dict[str, Any]]:
    """The person's programs with every version, and their sessions with what they logged."""
    programs = (
        RehabProgram.objects.filter(patient=user)
        .select_related("therapist")
        .prefetch_related(
            "versions",
            Prefetch(
                "sessions",
                queryset=RehabSession.objects.select_related("version")
                .prefetch_related(
                    Prefetch("logs", queryset=RehabExerciseLog.objects.order_by("position"))
                )
                .order_by("started_at", "id"),
            ),
        )
        .order_by("created_at", "id")
    )
    return [
        {
            "title": p.title,
            "therapist": p.therapist.professional_name if p.therapist else None,
            "status": p.status,
            "created_at": _iso(p.created_at),
            "current_phase": p.current_phase,
            "versions": [
                {
                    "number": v.number,
                    "plan": v.plan,
                    "limits": v.limits,
                    "progression": v.progression,
                    "change_note": v.change_note,
                    "created_at": _iso(v.created_at),
                }
                for v in p.versions.all()
            ],
            "sessions": [
                {
                    "version": s.version.number,
                    "phase": s.phase,
                    "status": s.status,
                    "started_at": _iso(s.started_at),
                    "ended_at": _iso(s.ended_at),
                    "stop_reason": s.stop_reason,
                    "ceiling_bpm": s.ceiling_bpm,
                    "adherence": s.adherence,
                    "time_above_ceiling_s": s.time_above_ceiling_s,
                    "peak_over_ceiling_bpm": s.peak_over_ceiling_bpm,
                    "logs": [
                        {
                            "exercise": log.exercise_name,
                            "sets_done": log.sets_done,
                            "reps_done": log.reps_done,
                            "pain": log.pain,
                            "rpe": log.rpe,
                            "logged_at": _iso(log.logged_at),
                        }
                        for log in s.logs.all()
                    ],
                }
                for s in p.sessions.all()
            ],
        }
        for p in programs
    ]


def rehabilitation_erase(patient_id: int) -> None:
    """The person's health data is erased: their programs go, with versions, sessions and logs."""
    RehabProgram.objects.filter(patient_id=patient_id).delete()
