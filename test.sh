#!/usr/bin/env bash
# Install the project with its test dependencies into .venv and run the test suite.
# Extra arguments go to pytest, e.g. ./test.sh -m "not e2e and not load" -x
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
exec .venv/bin/python -m pytest "$@"
