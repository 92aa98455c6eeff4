#!/usr/bin/env bash
# audit-deps.sh — pip-audit over the locked dependencies (constraints.txt); fails on any
# known vulnerability that is not accepted in .pip-audit-ignore, and on any dependency
# the vulnerability service could not look up (--strict: no silent passes).
#
# Usage: scripts/audit-deps.sh            (make audit)
#
# pip-audit runs from its own virtualenv (var/audit-venv, pip-audit $PIP_AUDIT_VERSION),
# so the auditor's dependencies never mix with the audited ones. It needs the network:
# PyPI's JSON API (default) or OSV (PIP_AUDIT_SERVICE=osv). `make test` does not call it.
#
# .pip-audit-ignore accepts a finding, one per line:
#     <vulnerability id>  <expiry YYYY-MM-DD>  <reason>
#     GHSA-xxxx-xxxx-xxxx  2027-03-31  only affects the Windows installer; we run Debian
# Blank lines and lines starting with # are ignored. A line without a reason, with a
# malformed date, or whose expiry has passed fails the audit, so every acceptance is
# reviewed again. Knobs: PIP_AUDIT_IGNORE_FILE, PIP_AUDIT_SERVICE, AUDIT_DRY_RUN=1 (print
# the pip-audit command instead of running it; used by the tests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PIP_AUDIT_VERSION="${PIP_AUDIT_VERSION:-2.10.1}"
IGNORE_FILE="${PIP_AUDIT_IGNORE_FILE:-$ROOT/.pip-audit-ignore}"
SERVICE="${PIP_AUDIT_SERVICE:-pypi}"
VENV="$ROOT/var/audit-venv"
TODAY="$(date -u +%F)"

die() { echo "audit-deps: $*" >&2; exit 2; }

ignores=()
if [ -f "$IGNORE_FILE" ]; then
    lineno=0
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        line="${line%%$'\r'}"
        [[ -z "${line//[[:space:]]/}" || "$line" =~ ^[[:space:]]*# ]] && continue
        read -r id expiry reason <<<"$line"
        [ -n "${reason:-}" ] || die "$IGNORE_FILE:$lineno: needs '<id> <YYYY-MM-DD> <reason>'"
        [[ "$expiry" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] && date -u -d "$expiry" +%F >/dev/null 2>&1 \
            || die "$IGNORE_FILE:$lineno: '$expiry' is not a date (YYYY-MM-DD)"
        [[ "$expiry" < "$TODAY" ]] && die "$IGNORE_FILE:$lineno: the acceptance of $id expired on $expiry; review it"
        ignores+=(--ignore-vuln "$id")
    done <"$IGNORE_FILE"
fi

command=(pip-audit -r "$ROOT/constraints.txt" --no-deps --disable-pip --strict
         --progress-spinner off --vulnerability-service "$SERVICE" "${ignores[@]}")
if [ "${AUDIT_DRY_RUN:-0}" = "1" ]; then
    echo "${command[*]}"
    exit 0
fi

if [ ! -x "$VENV/bin/pip-audit" ] || ! "$VENV/bin/pip-audit" --version | grep -q " $PIP_AUDIT_VERSION\$"; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet "pip-audit==$PIP_AUDIT_VERSION"
fi
PATH="$VENV/bin:$PATH" exec "${command[@]}"
