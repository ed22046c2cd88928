"""Entry point: `flask --app app ...` and `gunicorn app:app` both find the application here."""
import sys

from blog import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:  # a configuration mistake gets one line, not a traceback
    sys.exit(f"error: {exc}")
