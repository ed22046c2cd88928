#!/usr/bin/env bash
# Set up and start the site with sample content on SQLite: http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e .
if [ ! -f instance/config.py ]; then
  mkdir -p instance
  .venv/bin/python -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' > instance/config.py
  echo "Wrote instance/config.py with a new random SECRET_KEY."
fi
.venv/bin/flask --app app init-db --sample
exec .venv/bin/flask --app app run "$@"
