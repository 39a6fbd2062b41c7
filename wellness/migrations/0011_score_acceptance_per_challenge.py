"""Acceptance of a flagged workout moves from its score (global) to each challenge's contribution.

Existing acceptances keep counting where they counted: every counted, flagged contribution of an
accepted workout records the organizer and time of that acceptance (``reviewed_by``,
``reviewed_at``), so no leaderboard changes. The score itself no longer counts: a flagged workout
counts for nothing else (another challenge, a community journey's share, personal records) unless
accepted there, so its best efforts, which only a counting workout sets, are removed.
"""

from typing import Any

from django.db import migrations


def acceptance_to_contributions(apps: Any, schema_editor: Any) -> None:
    StoredScore = apps.get_model("wellness", "StoredScore")
    BestEffort = apps.get_model("wellness", "BestEffort")
    Contribution = apps.get_model("challenges", "Contribution")
    accepted = StoredScore.objects.filter(accepted_at__isnull=False).exclude(flags=[])
    for workout_id, accepted_by_id, accepted_at in accepted.values_list(
        "workout_id", "accepted_by_id", "accepted_at"
    ).iterator():
        Contribution.objects.filter(
            workout_id=workout_id, status="counted", reviewed_at__isnull=True
        ).exclude(flags=[]).update(reviewed_by_id=accepted_by_id, reviewed_at=accepted_at)
        BestEffort.objects.filter(workout_id=workout_id).delete()
    accepted.update(counts_for_leaderboards=False)


def acceptance_to_scores(apps: Any, schema_editor: Any) -> None:
    StoredScore = apps.get_model("wellness", "StoredScore")
    Contribution = apps.get_model("challenges", "Contribution")
    for workout_id, reviewed_by_id, reviewed_at in (
        Contribution.objects.filter(status="counted", reviewed_at__isnull=False)
        .order_by("reviewed_at")
        .values_list("workout_id", "reviewed_by_id", "reviewed_at")
        .iterator()
    ):
        StoredScore.objects.filter(workout_id=workout_id, accepted_at__isnull=True).update(
            accepted_by_id=reviewed_by_id, accepted_at=reviewed_at, counts_for_leaderboards=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("wellness", "0010_workout_pauses_laps_best_efforts"),
        ("challenges", "0002_contribution_review"),
    ]

    operations = [
        migrations.RunPython(acceptance_to_contributions, acceptance_to_scores),
        migrations.RemoveField(model_name="storedscore", name="accepted_at"),
        migrations.RemoveField(model_name="storedscore", name="accepted_by"),
    ]
