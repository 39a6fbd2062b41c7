"""The metrics a stored score keeps: every field of the score but its flags, as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np

from benchmarks.scoring import synthetic_run
from wellness.scoring.engine import score_workout
from wellness.scoring.pipeline import _json_ready, _metrics_json
from wellness.scoring.results import Athlete


def _reference(score: object) -> object:
    """The metrics as they were built before: ``asdict`` without flags, made JSON-ready."""
    metrics = asdict(score)  # type: ignore[call-overload]
    metrics.pop("flags")
    return _json_ready(metrics)


def test_metrics_json_equals_the_asdict_form_without_flags_for_a_scored_run() -> None:
    frame, rr = synthetic_run(3600, seed=3)
    score = score_workout(frame, rr, Athlete(age=40, sex="male", weight_kg=75), "run")

    metrics = _metrics_json(score)

    assert metrics == _reference(score)
    assert list(metrics) == list(_reference(score))  # type: ignore[call-overload]
    assert "flags" not in metrics


def test_metrics_json_stores_non_finite_numbers_as_null() -> None:
    frame, _rr = synthetic_run(600, seed=4)
    frame["hr"] = np.nan
    score = score_workout(frame, None, Athlete(), "run")

    metrics = _metrics_json(score)

    assert metrics == _reference(score)
    assert all(
        not (isinstance(value, float) and not math.isfinite(value)) for value in metrics.values()
    )
