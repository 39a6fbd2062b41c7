"""The web UI's API types (frontend/src/app/api-schema.d.ts) are generated from the server's
OpenAPI schema and committed; this fails when they no longer match it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "frontend" / "src" / "app" / "api-schema.d.ts"


def test_the_committed_api_types_are_generated_from_the_current_schema(tmp_path: Path) -> None:
    schema = tmp_path / "openapi.yml"
    generated = tmp_path / "api-schema.d.ts"
    # As `npm run api-types` does: the default database, since integer ranges in the schema
    # follow the database backend (SQLite's are 64-bit).
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DEBUG": "true"}
    subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--file", str(schema)],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["npx", "openapi-typescript", str(schema), "--output", str(generated)],
        cwd=ROOT / "frontend", check=True, capture_output=True,
    )  # fmt: skip

    assert generated.read_text() == COMMITTED.read_text(), (
        "frontend/src/app/api-schema.d.ts is stale: run `npm --prefix frontend run api-types`"
    )
