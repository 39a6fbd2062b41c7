"""The app's build carries no benchmark code: the naive renderers and the synthetic-crowd, renderer
and resolution switches exist only in the benchmark's entry (frontend/bench/), which Django never
serves."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
# What only the benchmark's code has: its renderers, its crowd and its query switches. The builds
# are not minified so that names survive; minifying renames but does not add code.
BENCHMARK_ONLY = [
    "NaiveWorldRenderer",
    "NaiveWorld3DRenderer",
    "FullResolution3DRenderer",
    "syntheticAvatars",
    '"synthetic"',
    '"renderer"',
    '"resolution"',
]


def built_code(config: str, out: Path) -> str:
    subprocess.run(
        ["npx", "vite", "build", "--config", config, "--minify", "false", "--outDir", str(out),
         "--emptyOutDir", "--logLevel", "error"],
        cwd=FRONTEND, check=True,
    )  # fmt: skip
    return "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.suffix in (".js", ".html"))


def test_the_app_bundle_has_no_trace_of_the_naive_renderers_or_the_benchmark_switches(
    tmp_path: Path,
) -> None:
    app = built_code("vite.config.ts", tmp_path / "app")
    benchmark = built_code("vite.bench.config.ts", tmp_path / "bench")

    assert [name for name in BENCHMARK_ONLY if name in benchmark] == BENCHMARK_ONLY
    assert [name for name in BENCHMARK_ONLY if name in app] == []


@pytest.mark.parametrize("path", ["world-view.html", "bench/world-view.html"])
def test_django_serves_no_benchmark_page(path: str) -> None:
    assert finders.find(path) is None
    assert Client().get(f"/{path}").status_code == 404
    assert Client().get(f"/static/{path}").status_code == 404
