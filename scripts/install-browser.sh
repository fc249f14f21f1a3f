#!/usr/bin/env bash
# Headless Chromium for the browser tests, from Debian's packages, when it is
# not there yet. Needs root (CI and the development machines run as root);
# without it, says so, and the browser tests then fail under CI=true.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "install-browser: chromium is missing and this is not root; run: sudo apt-get install chromium" >&2
  exit 0
fi
echo "install-browser: installing chromium (Debian package)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
