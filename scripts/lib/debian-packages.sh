# Sourced by scripts that need Debian packages. The caller defines:
#   missing_packages  prints the names of the packages still missing (empty when none)
#   die, log          report and exit / report
# ensure_debian_packages installs what is missing, as root, once: parallel runs wait on a
# shared lock and re-check under it; only the missing packages are installed, so nothing
# already present is upgraded.
ensure_debian_packages() {
    local missing
    missing="$(missing_packages)"
    [ -n "$missing" ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian package(s): $missing; not root, so cannot install them. As root run: apt-get update && apt-get install -y --no-install-recommends $missing"
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing $missing and apt-get is not available"
    exec 9>/tmp/.with-services-apt.lock
    flock -w 900 9 || die "timed out waiting for another run's package install"
    missing="$(missing_packages)"
    if [ -n "$missing" ]; then
        log "installing Debian packages: $missing"
        apt-get update </dev/null >&2
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            -o DPkg::Lock::Timeout=300 $missing </dev/null >&2
        missing="$(missing_packages)"
        [ -z "$missing" ] || die "still missing after install: $missing"
    fi
    exec 9>&-
}
