#!/usr/bin/env bash
# The Nu Html Checker (vnu.jar, from the npm package `vnu-jar`) for the
# digest's validation test, into .tools/ (git-ignored), when it is not there
# yet. It runs with Java; without java or npm this says so, and the test then
# fails under CI=true (it skips elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=.tools/node_modules/vnu-jar/build/dist/vnu.jar
if [ -f "$jar" ]; then exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-vnu: npm is missing; install Node.js (Debian: apt-get install npm) to validate the digest" >&2
  exit 0
fi
echo "install-vnu: installing vnu-jar into .tools/"
npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@26 >/dev/null
if ! command -v java >/dev/null 2>&1; then
  echo "install-vnu: java is missing; install a JRE (Debian: apt-get install default-jre-headless) to run vnu.jar" >&2
fi
