"""Load the shipped exercise library (``wellness.care.rehabilitation.catalogue``), keyed by slug:
running it again updates the shipped rows and adds new ones; custom exercises are untouched."""

from typing import Any

from django.db import migrations

from wellness.care.rehabilitation.catalogue import SHIPPED_EXERCISES


def load(apps: Any, schema_editor: Any) -> None:
    exercise_model = apps.get_model("care", "Exercise")
    for shipped in SHIPPED_EXERCISES:
        exercise_model.objects.update_or_create(
            organisation=None,
            slug=shipped.slug,
            defaults={
                "name": shipped.name,
                "instructions": shipped.instructions,
                "body_region": shipped.body_region,
                "equipment": shipped.equipment,
                "seated": shipped.seated,
                "standing": shipped.standing,
                "precautions": shipped.precautions,
                "illustration": shipped.illustration,
            },
        )


def unload(apps: Any, schema_editor: Any) -> None:
    exercise_model = apps.get_model("care", "Exercise")
    exercise_model.objects.filter(
        organisation=None, slug__in=[s.slug for s in SHIPPED_EXERCISES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0005_rehabilitation_exercises")]

    operations = [migrations.RunPython(load, unload)]
