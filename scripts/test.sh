#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the package with its
# test dependencies, installs headless Chromium (Debian's package) and the Nu
# Html Checker (vnu-jar, for the digest) when they are missing, runs the
# linters and type checker, then pytest. Extra arguments go to pytest (e.g. `bash scripts/test.sh -k feeds`).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e '.[test]'
bash scripts/install-browser.sh
bash scripts/install-vnu.sh
echo "== ruff"; python3 -m ruff check publisher tests benchmarks; python3 -m ruff format --check --quiet publisher tests benchmarks
echo "== mypy"; python3 -m mypy
echo "== pytest"; python3 -m pytest "$@"
