#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (Playwright cannot download its own
# browsers here). Installs it when missing and we are root; otherwise says how.
set -euo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $chromium_path: installing Debian's chromium package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium not found at $chromium_path. Install it with 'sudo apt-get install chromium'," >&2
echo "or set CHROMIUM_PATH to a Chromium or Chrome binary." >&2
exit 1
