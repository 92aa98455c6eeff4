#!/usr/bin/env bash
# bench/run.sh — `make bench`: the storefront under gunicorn with production settings on
# throwaway PostgreSQL and Redis (scripts/with-services.sh), loaded with wrk.
# Knobs: BENCH_TENANTS BENCH_PRODUCTS BENCH_ARTICLES (dataset), BENCH_DURATION (seconds per
# target), BENCH_CONNECTIONS, BENCH_WORKERS (gunicorn), PYTHON.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "bench: error: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }
missing_packages() { command -v wrk >/dev/null 2>&1 || echo wrk; }
# shellcheck source=../scripts/lib/debian-packages.sh
. scripts/lib/debian-packages.sh
ensure_debian_packages

PYTHON="${PYTHON:-.venv/bin/python}"
export PYTHON
exec scripts/with-services.sh "$PYTHON" bench/bench.py "$@"
