"""``manage.py rebuild_leaderboards`` refuses clearly where it cannot work (exit code 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from tests.servers import ROOT


def test_without_redis_it_exits_2_with_a_sentence() -> None:
    env = {"DEBUG": "true", "PATH": "/usr/bin:/bin", "WELLVERSE_VAR_DIR": "/tmp/wv-var-rebuild"}

    result = subprocess.run(
        [sys.executable, "manage.py", "rebuild_leaderboards"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert "REDIS_URL is not set: the database serves leaderboards." in result.stderr


@pytest.mark.django_db
def test_an_unknown_challenge_is_named(settings: Settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/5"

    with pytest.raises(CommandError, match=r"No challenge with id 999\.") as raised:
        call_command("rebuild_leaderboards", "999")

    assert raised.value.returncode == 2
