#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download is not available here).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
echo "Chromium not found at $CHROMIUM; installing Debian's chromium package for the e2e tests…"
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "Install it first: apt-get install -y chromium (or set CHROMIUM_PATH to a Chromium binary)." >&2
  exit 1
fi
