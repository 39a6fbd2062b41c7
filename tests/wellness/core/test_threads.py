"""Every Wellverse process limits numpy's BLAS threads at start-up (WELLVERSE_BLAS_THREADS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import json, django; django.setup(); from threadpoolctl import threadpool_info; "
    "print(json.dumps([p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']))"
)


def _blas_threads(**env: str) -> list[int]:
    variables = {k: v for k, v in os.environ.items() if not k.startswith("WELLVERSE_BLAS")}
    variables |= {"DJANGO_SETTINGS_MODULE": "wellness.config.settings", "DEBUG": "true", **env}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=variables, check=True, capture_output=True
    )
    return list(json.loads(done.stdout))


def test_a_process_uses_one_blas_thread_by_default() -> None:
    threads = _blas_threads()
    assert threads, "numpy's BLAS was not found"
    assert set(threads) == {1}


def test_the_setting_chooses_how_many() -> None:
    assert set(_blas_threads(WELLVERSE_BLAS_THREADS="3")) == {3}
