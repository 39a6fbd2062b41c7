#!/usr/bin/env bash
# The main job: install, migrate, seed the demo (only when DEBUG is on), start the server (and a Celery worker when
# REDIS_URL is set), print the URL. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

export DEBUG="${DEBUG:-true}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p "${WELLVERSE_VAR_DIR:-var}" var
if [ -z "${SECRET_KEY:-}" ]; then
  # One key for every process this script starts, kept so sign-ins survive a restart: the file the
  # settings use with DEBUG on, created atomically and private (wellness/config/keyfile.py).
  SECRET_KEY="$(uv run --frozen python -c 'import sys, pathlib
from wellness.config.keyfile import secret_key_from_file
print(secret_key_from_file(pathlib.Path(sys.argv[1])))' "${WELLVERSE_VAR_DIR:-var}/secret_key")"
  export SECRET_KEY
fi
if [ -z "${WELLVERSE_FIELD_ENCRYPTION_KEYS:-}" ]; then
  # The key of the fields encrypted at rest (consultation notes), kept beside the secret key.
  [ -s var/field_encryption_key ] || python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > var/field_encryption_key
  WELLVERSE_FIELD_ENCRYPTION_KEYS="$(cat var/field_encryption_key)"
  export WELLVERSE_FIELD_ENCRYPTION_KEYS
fi

manage() { uv run --frozen python manage.py "$@"; }
echo "== database: ${DATABASE_URL:-SQLite at var/wellverse.sqlite3}"
manage migrate --noinput
manage collectstatic --noinput --verbosity 0
if [ "$(echo "$DEBUG" | tr '[:upper:]' '[:lower:]')" = "true" ]; then
  echo "== DEBUG is on: seeding the demo accounts (their passwords are public: development only)"
  manage seed_demo
else
  echo "== DEBUG is off: no demo accounts seeded, no simulated athlete"
  export WELLVERSE_NO_SIMULATOR=1
fi

pids=()
optional_pids=()  # stopped with the rest, but their ending does not end the run (coturn)
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "== stopping"
  for pid in "${pids[@]}" ${optional_pids[@]+"${optional_pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

if [ -z "${WELLVERSE_TURN_URLS:-}" ] && [ -z "${WELLVERSE_NO_TURN:-}" ] && command -v turnserver >/dev/null 2>&1; then
  # coturn is installed: relay the consultation rooms' media through it (scripts/turn.sh), with a
  # shared secret kept beside the other keys; the app makes each person's expiring credentials.
  [ -s var/turn_secret ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > var/turn_secret)
  WELLVERSE_TURN_SECRET="$(cat var/turn_secret)"
  export WELLVERSE_TURN_SECRET TURN_HOST="${TURN_HOST:-$HOST}" TURN_PORT="${TURN_PORT:-3478}"
  export WELLVERSE_TURN_URLS="turn:${TURN_HOST}:${TURN_PORT}" WELLVERSE_STUN_URLS="stun:${TURN_HOST}:${TURN_PORT}"
  bash scripts/turn.sh > var/turnserver.log &
  optional_pids+=($!)
  echo "== TURN: coturn on ${TURN_HOST}:${TURN_PORT} for the consultation rooms (log: var/turnserver.log)"
else
  echo "== TURN: none started (coturn not installed, WELLVERSE_TURN_URLS set, or WELLVERSE_NO_TURN): rooms connect directly"
fi

if [ -z "${REDIS_URL:-}" ]; then
  # The in-memory channel layer reaches no other process: world tickers run inside the server.
  export WELLVERSE_WORLDS_LIVE_IN_SERVER=1
fi
# No per-message deflate: it would compress every world tick once per spectator socket
# (measured ~12x the server CPU of a tick; benchmarks/README.md, spectating). The server logs at
# WARNING, a worker that died and was replaced among the warnings (wellness/core/serverlog.py).
uv run --frozen uvicorn wellness.config.asgi:application --host "$HOST" --port "$PORT" \
  --loop uvloop --ws-per-message-deflate false --no-proxy-headers --workers "${WEB_CONCURRENCY:-1}" \
  --log-config wellness/config/uvicorn-logging.json &
pids+=($!)

if [ -n "${REDIS_URL:-}" ]; then
  uv run --frozen celery -A wellness.config worker --loglevel WARNING \
    --concurrency "${CELERY_CONCURRENCY:-2}" -Q "${CELERY_QUEUE:-wellverse}" &
  pids+=($!)
  # Avatars move in worlds nobody is watching (worlds/README.md).
  manage worlds_live &
  pids+=($!)
else
  echo "== no REDIS_URL: background tasks and world tickers run inside the server process"
fi

url="http://${HOST}:${PORT}/"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "${url}healthz" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
open_url="$url"
if [ "${WELLVERSE_NO_SIMULATOR:-}" != "1" ]; then
  # A simulated athlete (the demo user Ada) runs laps of a demo world through the real bridge,
  # one 30-minute run after another; WELLVERSE_NO_SIMULATOR=1 leaves her resting.
  demo_env="${WELLVERSE_VAR_DIR:-var}/demo-athlete.env"
  journal="${WELLVERSE_VAR_DIR:-var}/demo-athlete-journal.sqlite3"
  rm -f "$demo_env"
  simulate_loop() {
    # The bridge runs in the background so that a signal reaches this loop at once (bash runs
    # traps only between foreground commands); Ctrl-C stops the bridge, which flushes and exits.
    child=""
    trap '[ -n "$child" ] && kill -INT "$child" 2>/dev/null; wait; exit 0' INT TERM
    while true; do
      manage demo_athlete --world "${DEMO_WORLD:-lakeside-loop}" --journal "$journal" > "$demo_env.tmp" || exit 1
      mv "$demo_env.tmp" "$demo_env"
      WELLVERSE_TOKEN="$(sed -n 's/^WELLVERSE_TOKEN=//p' "$demo_env")" uv run --frozen python -m devices.bridge \
        simulate --profile run --duration 1800 --server "http://${HOST}:${PORT}" --journal "$journal" \
        2>/dev/null &
      child=$!
      wait "$child" || sleep 2
    done
  }
  simulate_loop &
  pids+=($!)
  for _ in $(seq 1 150); do [ -s "$demo_env" ] && break; sleep 0.2; done
  world_id="$(sed -n 's/^DEMO_WORLD_ID=//p' "$demo_env" 2>/dev/null || true)"
  if [ -n "$world_id" ]; then
    open_url="${url}worlds/${world_id}"
    echo "== simulated athlete: Ada runs in ${open_url} (WELLVERSE_NO_SIMULATOR=1 turns her off)"
  fi
fi
echo
echo "Wellverse is running: open ${open_url}"
echo "API docs: ${url}api/v1/docs/   (Ctrl-C stops everything)"
wait -n "${pids[@]}"
