from pathlib import Path

from flask import Blueprint, Response, current_app, send_file

from app.fieldapp.shell import Shell

bp = Blueprint("fieldapp", __name__)


def _static() -> Path:
    return Path(current_app.config["STATIC_DIR"])


def _service_worker_source() -> str:
    from app import PROJECT_ROOT

    return (PROJECT_ROOT / "service_worker" / "sw.js").read_text()


def _shell() -> Shell:
    # Worked out once per process in production; on every request while
    # developing, so edits show up.
    shell = current_app.extensions.get("fieldapp_shell")
    if shell is None or current_app.debug:
        shell = Shell.build(_static())
        current_app.extensions["fieldapp_shell"] = shell
    return shell


@bp.get("/")
def index():
    response = send_file(_static() / "index.html", mimetype="text/html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    response = send_file(_static() / "manifest.webmanifest", mimetype="application/manifest+json", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on every site (the office pages too), and
    # a PNG there is fine for all of them. Cached for a week: it rarely changes.
    return send_file(_static() / "icons" / "icon-192.png", mimetype="image/png", max_age=7 * 24 * 3600)


@bp.get("/sw.js")
def service_worker():
    shell = _shell()
    body = shell.service_worker_header() + _service_worker_source()
    response = Response(body, mimetype="text/javascript")
    # The browser must always see a new worker when the shell changes.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
