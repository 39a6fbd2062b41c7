#!/usr/bin/env bash
# The main job: install, migrate, seed the demo, start the server (and a Celery worker when
# REDIS_URL is set), print the URL. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

export DEBUG="${DEBUG:-true}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p "${WELLVERSE_VAR_DIR:-var}" var
if [ -z "${SECRET_KEY:-}" ]; then
  # One key for every process this script starts, kept so sign-ins survive a restart.
  [ -s var/secret_key ] || python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
  SECRET_KEY="$(cat var/secret_key)"
  export SECRET_KEY
fi

manage() { uv run --frozen python manage.py "$@"; }
echo "== database: ${DATABASE_URL:-SQLite at var/wellverse.sqlite3}"
manage migrate --noinput
manage collectstatic --noinput --verbosity 0
manage seed_demo

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "== stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

uv run --frozen uvicorn wellness.asgi:application --host "$HOST" --port "$PORT" \
  --loop uvloop --workers "${WEB_CONCURRENCY:-1}" --log-level warning &
pids+=($!)

if [ -n "${REDIS_URL:-}" ]; then
  uv run --frozen celery -A wellness worker --loglevel WARNING \
    --concurrency "${CELERY_CONCURRENCY:-2}" -Q "${CELERY_QUEUE:-wellverse}" &
  pids+=($!)
else
  echo "== no REDIS_URL: background tasks run inside the server process"
fi

url="http://${HOST}:${PORT}/"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "${url}healthz" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
echo
echo "Wellverse is running: open ${url}"
echo "API docs: ${url}api/v1/docs/   (Ctrl-C stops everything)"
wait -n "${pids[@]}"
