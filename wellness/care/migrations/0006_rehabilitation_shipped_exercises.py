"""Load the shipped exercise library (``wellness.care.rehabilitation.catalogue``), keyed by slug:
running it again updates the shipped rows and adds new ones; custom exercises are untouched."""

from typing import Any

from django.db import migrations

from wellness.care.rehabilitation.catalogue import SHIPPED_EXERCISES, shipped_exercises_sync


def load(apps: Any, schema_editor: Any) -> None:
    shipped_exercises_sync(apps.get_model("care", "Exercise"))


def unload(apps: Any, schema_editor: Any) -> None:
    exercise_model = apps.get_model("care", "Exercise")
    exercise_model.objects.filter(
        organisation=None, slug__in=[s.slug for s in SHIPPED_EXERCISES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0005_rehabilitation_exercises")]

    operations = [migrations.RunPython(load, unload)]
