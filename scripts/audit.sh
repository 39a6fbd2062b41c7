#!/usr/bin/env bash
# Dependency audit: pip-audit on the locked requirements, npm audit on frontend/. Each runs where
# its advisory database answers and is skipped, with the reason printed, where it does not, so an
# unreachable service never fails the suite; a reachable one that reports a vulnerability does.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== dependency audit: Python (pip-audit, PyPI's advisory data)"
# pip-audit reads each locked release's vulnerabilities from PyPI's per-release JSON API: probe
# it with a release that exists (a mirror may serve the index and the project pages, not these).
probe_url=https://pypi.org/pypi/pip/24.0/json
if curl -fsS --max-time 10 "$probe_url" 2>/dev/null | grep -q '"vulnerabilities"'; then
  requirements="$(mktemp)"
  trap 'rm -f "$requirements"' EXIT
  uv export --frozen --all-groups --format requirements-txt --no-hashes --no-emit-project > "$requirements"
  uv run --frozen pip-audit --requirement "$requirements" --vulnerability-service pypi \
    --no-deps --disable-pip --progress-spinner off
else
  echo "SKIPPED: PyPI's vulnerability data ($probe_url) is not reachable from here"
fi

echo "== dependency audit: web UI (npm audit)"
if output="$(npm --prefix frontend audit --audit-level=high 2>&1)"; then
  echo "$output" | tail -n 3
elif grep -qE "audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network" <<<"$output"; then
  echo "SKIPPED: npm's advisory endpoint is not reachable from here: $(grep -m1 -E 'npm (warn|error)' <<<"$output")"
else
  echo "$output"
  exit 1
fi
