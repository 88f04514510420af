from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_file

from app.fieldapp.shell import Shell, contract_module, shell_files
from app.sync.contract import phone_contract

bp = Blueprint("fieldapp", __name__)


def _static() -> Path:
    return Path(current_app.config["STATIC_DIR"])


def _service_worker_source() -> str:
    from app import PROJECT_ROOT

    return (PROJECT_ROOT / "service_worker" / "sw.js").read_text()


def current_shell() -> Shell:
    """The shell as this app serves it, the sync contract included."""
    # Worked out again only when a shell file changed on disk (a stat per
    # file) or the contract did, so an edit shows at the next reload and
    # production reads once. The contract comes from the kinds registered
    # with this app, so it is asked for inside the request.
    files = shell_files(_static())
    contract = phone_contract()
    stamp = (tuple(path.stat().st_mtime_ns for path in files.values()), contract_module(contract))
    cached = current_app.extensions.get("fieldapp_shell")
    if cached is None or cached[0] != stamp:
        cached = (stamp, Shell.build(_static(), contract))
        current_app.extensions["fieldapp_shell"] = cached
    return cached[1]


def _shell_file(url: str, mimetype: str) -> Response:
    content = current_shell().contents.get(url)
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
    shell = current_shell()
    body = shell.service_worker_header() + _service_worker_source()
    response = Response(body, mimetype="text/javascript")
    # The browser must always see a new worker when the shell changes.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
