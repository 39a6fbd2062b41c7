# Sourced by run.sh and test.sh: make sure uv exists and the locked environment is installed.
# uv comes from PyPI into .tools/ so nothing outside the checkout is touched.
UV_VERSION=0.13.9
if ! command -v uv >/dev/null 2>&1; then
  if [ ! -x .tools/bin/uv ]; then
    echo "== installing uv ${UV_VERSION} into .tools/"
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}"
  fi
  export PATH="$PWD/.tools/bin:$PATH"
fi
export UV_PYTHON="${UV_PYTHON:-python3.11}"
uv sync --frozen --quiet

# The web UI: install the locked npm packages once (again when the lock changes), then build.
if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  echo "== installing the web UI's npm packages"
  npm --prefix frontend ci --no-audit --no-fund --loglevel=error
fi
npm --prefix frontend run --silent build -- --logLevel error
