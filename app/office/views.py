from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.db import db
from app.office.services import client_overview

bp = Blueprint("office", __name__, url_prefix="/office")
SCHEME_TIME_ZONE = ZoneInfo("Europe/London")


@bp.app_template_filter("local_time")
def local_time(instant):
    """An instant as the office reads it: UK local time."""
    return instant.astimezone(SCHEME_TIME_ZONE).strftime("%a %d %b %Y, %H:%M")


@bp.get("/")
@login_required
def home():
    if current_user.role not in ("coordinator", "admin"):
        abort(403, "The office pages are for coordinators. Mentors use the field app.")
    return render_template("office/home.html", clients=client_overview(db.session, current_user))

