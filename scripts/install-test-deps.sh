#!/usr/bin/env bash
# Install what the test suite needs beyond Python: uv, PostgreSQL's server binaries,
# PgBouncer (the pooler the deployment guide puts in front of it) and Chromium (the headless
# browser the web frontend's tests drive).
#
# Idempotent: installs nothing that is already there, and runs `apt-get update`
# only when it is about to install. Works as root (CI) or through sudo. Without
# root, sudo or apt-get it prints one line saying what to install and carries on;
# tests that need PostgreSQL or Chromium then skip with a clear reason (and fail on CI).
set -euo pipefail

say() { echo "install-test-deps: $*"; }

# --- uv ------------------------------------------------------------------------------------------
if command -v uv >/dev/null 2>&1; then
    say "uv already installed ($(uv --version))"
else
    say "installing uv with pip"
    # Debian's own python3 is "externally managed" (PEP 668); a throwaway CI machine may override.
    python3 -m pip install --quiet --disable-pip-version-check uv \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages uv \
        || python3 -m pip install --quiet --disable-pip-version-check --user uv
    if command -v uv >/dev/null 2>&1; then
        say "installed $(uv --version)"
    else
        say "installed uv, but it is not on PATH; add $(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))') or $(python3 -m site --user-base)/bin to PATH"
    fi
fi

# --- Debian packages: PostgreSQL server binaries, Chromium ----------------------------------------
have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_chromium() { command -v chromium >/dev/null 2>&1; }
have_pgbouncer() { command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; }

missing=()
if have_postgres; then
    say "PostgreSQL already installed ($(echo /usr/lib/postgresql/*/bin/initdb))"
else
    missing+=(postgresql)
fi
if have_chromium; then
    say "Chromium already installed ($(command -v chromium))"
else
    missing+=(chromium)
fi
if have_pgbouncer; then
    say "PgBouncer already installed"
else
    missing+=(pgbouncer)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    say "no apt-get here: install ${missing[*]} yourself (PostgreSQL's initdb and pg_ctl, Chromium on PATH); their tests skip until then"
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        say "not root and no sudo: run 'apt-get install ${missing[*]}' as root; their tests skip until then"
        exit 0
    fi
    if [ -t 0 ]; then
        as_root=(sudo)
    elif sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        say "sudo needs a password and there is no terminal: run 'sudo apt-get install ${missing[*]}'; their tests skip until then"
        exit 0
    fi
fi

say "installing Debian's ${missing[*]}"
start=$SECONDS
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null

if ! have_postgres; then
    say "apt-get ran but no /usr/lib/postgresql/*/bin/initdb appeared" >&2
    exit 1
fi
if ! have_chromium; then
    say "apt-get ran but no chromium appeared on PATH" >&2
    exit 1
fi
if ! have_pgbouncer; then
    say "apt-get ran but no pgbouncer appeared" >&2
    exit 1
fi
say "installed ${missing[*]} in $((SECONDS - start))s"
