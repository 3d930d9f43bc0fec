#!/usr/bin/env bash
# The suite uses programs from Debian: Chromium for the browser tests (Playwright cannot download browsers here),
# redis-server for the Upstash rate-limit path, a PostgreSQL server for the statement-timeout tests, and python3 with
# pip and setuptools for the Python SDK's tests (which build and install its wheel offline). Installs whichever is
# missing when run as root.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# A real PostgreSQL server for the statement-timeout tests (PGlite does not honour statement_timeout).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# Debian's python3 (the tests run /usr/bin/python3, not a pyenv shim) with pip, setuptools and wheel.
{ /usr/bin/python3 -m pip --version && /usr/bin/python3 -c 'import setuptools, wheel'; } >/dev/null 2>&1 || missing+=(python3 python3-pip python3-setuptools python3-wheel)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages for the tests: ${missing[*]}…"
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Install them first: apt-get install -y ${missing[*]} (or set CHROMIUM_PATH to a Chromium binary)." >&2
  exit 1
fi
