"""The audit log's search page, for admins only (/office/audit/)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.audit import search
from app.audit.models import ACTIONS
from app.db import db
from app.office.views import coordinators_only

bp = Blueprint("audit", __name__, url_prefix="/office/audit", template_folder="templates")
bp.before_request(coordinators_only)


# The search is posted, not put in the address: an email in a URL would end up
# in the web server's request log, which must hold no personal data.
@bp.route("/", methods=["GET", "POST"])
def log():
    if current_user.role != "admin":
        abort(404)  # coordinators do not search the log (and are not told it is here)
    filters, errors = search.read_filters(request.form)
    entries = [] if errors else search.search(db.session, filters)
    return render_template("audit/log.html", entries=entries, filters=filters, errors=errors, actions=ACTIONS,
                           page_size=search.PAGE), 400 if errors else 200
