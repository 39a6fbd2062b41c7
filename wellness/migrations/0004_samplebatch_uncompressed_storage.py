"""Packed float64 batches hardly compress, so PostgreSQL's TOAST compression only costs CPU on
every write and read: store them out of line but uncompressed (PostgreSQL only)."""

from django.db import migrations


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE wellness_samplebatch "
            "ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN rr SET STORAGE EXTERNAL"
        )


def compressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE wellness_samplebatch "
            "ALTER COLUMN data SET STORAGE EXTENDED, ALTER COLUMN rr SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("wellness", "0003_workouts_and_samples")]

    operations = [migrations.RunPython(uncompressed, compressed)]
