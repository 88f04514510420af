from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from app.db import db
from app.office import errors
from app.office.services import client_overview
from app.safeguarding.services import queue_counts
from app.volunteers.lapses import blocked_pairs

bp = Blueprint("office", __name__, url_prefix="/office")
errors.register(bp)
SCHEME_TIME_ZONE = ZoneInfo("Europe/London")


@bp.app_template_filter("local_time")
def local_time(instant):
    """An instant as the office reads it: UK local time."""
    return instant.astimezone(SCHEME_TIME_ZONE).strftime("%a %d %b %Y, %H:%M")


def coordinators_only():
    """Every office page: signed-out people go to the sign-in page; mentors
    signed in to the field app get a page that sends them back to it."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.uses_office:
        return render_template("office/for_coordinators.html", signed_in=True), 403
    return None


bp.before_request(coordinators_only)


@bp.get("/")
def home():
    from datetime import timedelta

    from app import scope
    from app.schedule.services import OVERDUE_LOOKBACK_DAYS, grace_minutes, overdue_visits
    from app.wellbeing.services import DUE_SOON_DAYS, checks_due

    grace = grace_minutes()
    return render_template("office/home.html", clients=client_overview(db.session, current_user),
                           overdue=overdue_visits(db.session, current_user, grace=timedelta(minutes=grace)),
                           grace=grace, overdue_days=OVERDUE_LOOKBACK_DAYS,
                           concern_counts=queue_counts(db.session, current_user),
                           blocked_pairs=blocked_pairs(db.session, current_user),
                           compliance=_compliance_warnings(),
                           wellbeing_due=checks_due(db.session, current_user, scope.today()),
                           due_soon_days=DUE_SOON_DAYS)


def _compliance_warnings():
    """Checks expiring within 60/30/7 days and volunteers not cleared, among
    the active volunteers the user oversees, on the scheme's today."""
    from sqlalchemy import select

    from app import scope
    from app.accounts.models import User
    from app.volunteers.services import office_warnings

    volunteers = list(db.session.scalars(select(User).where(User.id.in_(scope.volunteer_scope(current_user)),
                                                            User.active).order_by(User.name)))
    return office_warnings(db.session, volunteers, scope.today())
