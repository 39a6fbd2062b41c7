"""The shipped exercise library (issue 22, point 1): at least 30 exercises, each with instructions
and its own accessible stick-figure illustration among the static files, loaded by migrate."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from wellness.care.models import BodyRegion, Equipment, Exercise
from wellness.care.rehabilitation.catalogue import (
    BODY_REGIONS,
    EQUIPMENT,
    SHIPPED_EXERCISES,
    ShippedExercise,
)

STATIC = Path(__file__).resolve().parents[4] / "wellness" / "care" / "static"
SVG = "{http://www.w3.org/2000/svg}"


def test_the_library_ships_at_least_thirty_exercises_with_unique_slugs() -> None:
    slugs = [e.slug for e in SHIPPED_EXERCISES]
    assert len(slugs) >= 30
    assert len(set(slugs)) == len(slugs)
    for required in ("sit-to-stand", "heel-raises", "marching-in-place", "wall-push-ups"):
        assert required in slugs


@pytest.mark.parametrize("exercise", SHIPPED_EXERCISES, ids=lambda e: e.slug)
def test_each_shipped_exercise_is_complete_and_illustrated(exercise: ShippedExercise) -> None:
    assert exercise.body_region in BODY_REGIONS
    assert exercise.equipment in EQUIPMENT
    assert exercise.seated or exercise.standing
    assert len(exercise.instructions) > 80
    assert exercise.precautions
    svg = ET.parse(STATIC / exercise.illustration).getroot()
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None
    assert title.text is not None
    assert title.text.startswith(exercise.name)
    assert svg.get("aria-labelledby") == title.get("id")


def test_the_model_choices_are_the_catalogues() -> None:
    assert dict(BodyRegion.choices) == BODY_REGIONS
    assert dict(Equipment.choices) == EQUIPMENT


@pytest.mark.django_db
def test_migrate_loaded_every_shipped_exercise_without_an_organisation() -> None:
    shipped = Exercise.objects.filter(organisation__isnull=True)
    assert sorted(shipped.values_list("slug", flat=True)) == sorted(
        e.slug for e in SHIPPED_EXERCISES
    )
    sit_to_stand = shipped.get(slug="sit-to-stand")
    assert sit_to_stand.illustration == "care/rehabilitation/exercises/sit-to-stand.svg"
    assert (sit_to_stand.seated, sit_to_stand.standing) == (False, True)


def test_the_illustrations_are_found_by_the_static_files_finders() -> None:
    for exercise in SHIPPED_EXERCISES:
        assert finders.find(exercise.illustration) is not None, exercise.slug
