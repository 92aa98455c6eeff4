#!/usr/bin/env bash
# bench/run.sh — `make bench`: the storefront under gunicorn with production settings on
# throwaway PostgreSQL and Redis (scripts/with-services.sh), loaded with wrk.
# `bench/run.sh --scale` (make bench-scale): catalog, search and API at BENCH_TENANTS, then grown
# to BENCH_SCALE_TENANTS (default 10x). BENCH_CHECKOUT_BUYERS, _STOCK, _ROUNDS: the checkout race.
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
