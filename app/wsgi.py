"""Entry point for gunicorn: ``gunicorn app.wsgi:app``."""
import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as err:
    sys.exit(f"Configuration error: {err}")
