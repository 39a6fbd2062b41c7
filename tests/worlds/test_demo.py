"""The demo worlds seed_demo installs."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from worlds.models import Journey, Landmark, World

pytestmark = pytest.mark.django_db


def test_seed_demo_installs_generated_worlds_with_landmarks_and_a_journey() -> None:
    call_command("seed_demo")

    worlds = {w.name: w for w in World.objects.select_related("route")}
    assert sorted(worlds) == ["Cliff Coast Path", "Lakeside Loop", "Summit Switchbacks"]
    assert worlds["Lakeside Loop"].laps == 3
    assert worlds["Lakeside Loop"].route.distance_m == pytest.approx(6_208, abs=5)
    assert worlds["Summit Switchbacks"].route.elevation_gain_m == pytest.approx(600, abs=5)
    assert Landmark.objects.count() == 8
    assert list(Journey.objects.get().stages.values_list("world__name", flat=True)) == [
        "Lakeside Loop",
        "Summit Switchbacks",
        "Cliff Coast Path",
    ]


def test_seed_demo_twice_adds_no_worlds() -> None:
    call_command("seed_demo")

    call_command("seed_demo")

    assert (World.objects.count(), Journey.objects.count(), Landmark.objects.count()) == (3, 1, 8)
