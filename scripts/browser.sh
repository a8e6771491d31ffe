#!/usr/bin/env bash
# The browser tests drive Debian's Chromium: installed from the
# operating system's packages, never downloaded by Playwright.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[browser] /usr/bin/chromium is missing; run as root (or install Debian's chromium package) for the browser tests" >&2
  exit 0
fi
echo "[browser] installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
