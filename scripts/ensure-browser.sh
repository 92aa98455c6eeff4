#!/usr/bin/env bash
# ensure-browser.sh — make sure the browser tests have what they need.
#
# Usage: scripts/ensure-browser.sh
#
# What it does (each step only when something is missing, so a second run is quick):
#   1. Installs Debian's `chromium` (the tests drive /usr/bin/chromium with Playwright
#      for Python; Playwright never downloads a browser of its own here) and, when
#      node or npm is missing, Debian's `nodejs` and `npm`. Needs root; apt-get update
#      once, then a no-recommends install of only the missing packages.
#   2. Installs axe-core (the accessibility engine the tests inject into pages) into
#      tests/browser/node_modules with `npm ci` from the committed package-lock.json,
#      when node_modules is missing or older than the lock file.
#
# Why it is built this way:
#   - apt runs are serialised with flock on the same lock file scripts/with-services.sh
#     uses, so parallel runs of either script never fight over dpkg; the check is
#     repeated under the lock, since another run may have installed meanwhile.
#   - `npm ci` installs exactly what the lock file says and never rewrites it.
set -euo pipefail

PROG="ensure-browser"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NPM_DIR="$ROOT/tests/browser"
CHROMIUM=/usr/bin/chromium

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

missing_packages() {
    local missing=()
    [ -x "$CHROMIUM" ] || missing+=(chromium)
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    echo "${missing[*]:-}"
}

# ---------------------------------------------------------------- packages ---
# shellcheck source=lib/debian-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/debian-packages.sh"
ensure_debian_packages

# ---------------------------------------------------------------- axe-core ---
stamp="$NPM_DIR/node_modules/.package-lock.json"   # written by npm ci
if [ ! -f "$NPM_DIR/node_modules/axe-core/axe.min.js" ] || [ "$NPM_DIR/package-lock.json" -nt "$stamp" ]; then
    exec 8>/tmp/.budstack-npm.lock
    flock -w 300 8 || die "timed out waiting for another run's npm ci"
    log "installing axe-core into ${NPM_DIR#"$ROOT"/}/node_modules"
    (cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null >&2)
    [ -f "$NPM_DIR/node_modules/axe-core/axe.min.js" ] || die "npm ci did not install axe-core"
    exec 8>&-
fi
