#!/usr/bin/env bash
# The whole test suite: lint, types, the embedded-default run, then the integration run against
# PostgreSQL + Redis + a real Celery worker (skipped with a reason where those services are absent;
# WELLVERSE_NO_SKIP=1 turns any skip into a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

echo "== ruff (with bandit's security rules, S)"
uv run --frozen ruff check .
uv run --frozen ruff format --check .
echo "== mypy"
DEBUG=true uv run --frozen mypy .
echo "== import contracts (import-linter) and migrations"
uv run --frozen lint-imports --no-cache
DEBUG=true uv run --frozen python manage.py makemigrations --check --dry-run

echo "== security: dependency audit (skipped with the reason where its advisory data is unreachable)"
bash scripts/audit.sh
echo "== security: fuzzing the GATT decoders and activity-file parsers (atheris; README, Security)"
mkdir -p var/fuzz
for target in gatt:10 activity:20; do
  if ! uv run --frozen python -m fuzz "${target%%:*}" --seconds "${target##*:}" > "var/fuzz/${target%%:*}.log" 2>&1; then
    tail -n 60 "var/fuzz/${target%%:*}.log"
    exit 1
  fi
  echo "${target%%:*}: $(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' "var/fuzz/${target%%:*}.log"), no exception but the documented one"
done

echo "== web UI unit tests (Vitest)"
npm --prefix frontend test --silent

echo "== tests: embedded default (SQLite, in-memory channel layer, eager tasks)"
env -u DATABASE_URL -u REDIS_URL uv run --frozen pytest -m "not integration" "$@"

echo "== tests: integration (PostgreSQL, Redis, Celery worker, uvicorn)"
export DATABASE_URL="${WELLVERSE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wellverse}"
export REDIS_URL="${WELLVERSE_TEST_REDIS_URL:-redis://127.0.0.1:6379/1}"
export CELERY_QUEUE="${WELLVERSE_TEST_CELERY_QUEUE:-wellverse-test}"
uv run --frozen pytest -m "integration or postgresql" "$@"
