from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_file

from app.fieldapp.shell import Shell, shell_files

bp = Blueprint("fieldapp", __name__)


def _static() -> Path:
    return Path(current_app.config["STATIC_DIR"])


def _service_worker_source() -> str:
    from app import PROJECT_ROOT

    return (PROJECT_ROOT / "service_worker" / "sw.js").read_text()


def _shell() -> Shell:
    # Worked out again only when a shell file changed on disk (a stat per
    # file), so an edit shows at the next reload and production reads once.
    files = shell_files(_static())
    stamp = tuple(path.stat().st_mtime_ns for path in files.values())
    cached = current_app.extensions.get("fieldapp_shell")
    if cached is None or cached[0] != stamp:
        cached = (stamp, Shell.build(_static()))
        current_app.extensions["fieldapp_shell"] = cached
    return cached[1]


def _shell_file(url: str, mimetype: str) -> Response:
    content = _shell().contents.get(url)
    if content is None:
        abort(404)
    response = Response(content, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


# The shell's code as the phone stores it (trimmed; see shell.py).
@bp.get("/static/js/<path:name>")
def shell_script(name: str):
    return _shell_file(f"/static/js/{name}", "text/javascript")


@bp.get("/static/app.css")
def shell_stylesheet():
    return _shell_file("/static/app.css", "text/css")


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
