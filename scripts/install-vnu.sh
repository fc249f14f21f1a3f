#!/usr/bin/env bash
# The Nu Html Checker for the digest's validation test: vnu.jar from the npm
# package `vnu-jar`, installed into .tools/ (git-ignored) when it is not there
# yet, and a Java runtime to run it (Debian's package) when there is none.
# Without npm, or java and root, it says so, and the validation test then
# fails under CI=true (it skips elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "install-vnu: installing a Java runtime (Debian package default-jre-headless)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "install-vnu: java is missing and this is not root; run: sudo apt-get install default-jre-headless" >&2
  fi
fi
if [ -f .tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-vnu: npm is missing; install Node.js (Debian: apt-get install npm) to validate the digest" >&2
  exit 0
fi
echo "install-vnu: installing vnu-jar into .tools/"
npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@26 >/dev/null
