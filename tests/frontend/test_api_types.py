"""The web UI's API types (frontend/src/app/api-schema.d.ts) are generated from the server's
OpenAPI schema and committed; this fails when they no longer match it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.management import call_command

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
COMMITTED = FRONTEND / "src" / "app" / "api-schema.d.ts"


def test_the_committed_api_types_are_generated_from_the_current_schema(tmp_path: Path) -> None:
    schema = tmp_path / "openapi.yml"
    generated = tmp_path / "api-schema.d.ts"
    call_command("spectacular", "--file", str(schema))
    subprocess.run(
        ["npx", "openapi-typescript", str(schema), "--output", str(generated)],
        cwd=FRONTEND, check=True, capture_output=True,
    )  # fmt: skip

    assert generated.read_text() == COMMITTED.read_text(), (
        "frontend/src/app/api-schema.d.ts is stale: run `npm --prefix frontend run api-types`"
    )
