"""The benchmark command line itself (the benchmarks are run by hand, not by the suite)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unknown_benchmark_exits_2_with_a_sentence() -> None:
    result = run("no_such_benchmark")

    assert result.returncode == 2
    assert "unknown benchmark(s): no_such_benchmark" in result.stderr


def test_list_exits_0() -> None:
    assert run("--list").returncode == 0
