"""Headers every response carries: a strict CSP (no inline script or style),
no caching of anything with personal data, and HSTS where configured.

Caching: every response under /office/, /api/ (receipts too) and the account
pages (/sign-in, /sign-out, /account/...), every JSON answer and every other
HTML page is ``Cache-Control: no-store``: personal data is never kept in the
browser's HTTP cache nor in a proxy's, and Back after signing out on a shared
office computer shows nothing. What is not personal keeps its own rule: the
field app's shell page, code, manifest and service worker (``no-cache``,
app/fieldapp: the service worker keeps the shell offline, not the HTTP
cache), icons and static files.
"""
from flask import Flask, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

NO_STORE = "no-store"
# Paths whose every response may carry personal data, whatever its type.
PERSONAL_PREFIXES = ("/office/", "/api/", "/account/")
PERSONAL_PATHS = ("/office", "/sign-in", "/sign-out")
# The field app's shell page: HTML, but the same for everyone and cached by its own rule.
SHELL_ENDPOINTS = ("fieldapp.index",)


def personal(path: str) -> bool:
    return path in PERSONAL_PATHS or path.startswith(PERSONAL_PREFIXES)


def _no_store(response) -> None:
    if NO_STORE not in (response.headers.get("Cache-Control") or ""):
        response.headers["Cache-Control"] = NO_STORE


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        hsts = app.config.get("STRICT_TRANSPORT_SECURITY")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        if personal(request.path):
            _no_store(response)  # overrides anything laxer a view set
        elif response.mimetype == "application/json" or (
                response.mimetype == "text/html" and request.endpoint not in SHELL_ENDPOINTS):
            response.headers.setdefault("Cache-Control", NO_STORE)
        return response
