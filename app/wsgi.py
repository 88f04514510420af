"""Entry point for gunicorn: ``gunicorn app.wsgi:app``.

Behind a TLS-terminating proxy (nginx, Caddy, a load balancer) set
``TRUSTED_PROXIES`` to the number of proxies in front of gunicorn (usually 1):
the app then takes the client's address from the last ``X-Forwarded-For``
entry that proxy added, and the scheme and host from ``X-Forwarded-Proto`` /
``X-Forwarded-Host`` (Werkzeug's ProxyFix). Without it those headers are
ignored, and every request seems to come from the proxy: the sign-in throttle
per address (app/accounts/throttle.py) would then count everybody together.
Never set it when clients can reach gunicorn directly: they could claim any
address.
"""
import os
import sys

from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from app.config import ConfigError


def trusted_proxies(environ=os.environ) -> int:
    value = (environ.get("TRUSTED_PROXIES") or "0").strip()
    if not value.isdigit() or int(value) > 10:
        raise ConfigError(f"TRUSTED_PROXIES must be the number of proxies in front of gunicorn (0-10), not {value!r}")
    return int(value)


def behind_proxies(wsgi_app, proxies: int):
    """``wsgi_app`` reading the client address, scheme and host from ``proxies`` trusted proxies' headers."""
    if not proxies:
        return wsgi_app
    return ProxyFix(wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=0, x_prefix=0)


try:
    app = create_app()
    app.wsgi_app = behind_proxies(app.wsgi_app, trusted_proxies())
except ConfigError as err:
    sys.exit(f"Configuration error: {err}")
