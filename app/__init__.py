"""Community Peer Mentors: the Flask service behind the field app and the office."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import csrf, security_headers
from app.accounts import login
from app.config import ConfigError, load_config  # noqa: F401  (ConfigError is part of the API)
from app.db import db as _db
from app.errors import register_error_handlers

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    if config and "INSTANCE_PATH" in config:
        app.instance_path = str(config.pop("INSTANCE_PATH"))
    load_config(app, config)
    app.static_folder = str(app.config.setdefault("STATIC_DIR", PROJECT_ROOT / "static"))

    from app import features, models  # noqa: F401  (every table; every feature wired into sync)

    _db.init_app(app)
    login.init_app(app)
    csrf.init_app(app)
    security_headers.init_app(app)
    register_error_handlers(app)

    from app.audit import hooks as audit_hooks

    audit_hooks.init_app(app)

    from app.webpush import vapid

    vapid.init_app(app)

    from app.accounts.views import bp as accounts_bp
    from app.api_docs.views import bp as api_docs_bp
    from app.audit.views import bp as audit_bp
    from app.casework.views import bp as casework_bp
    from app.data_protection.views import bp as data_protection_bp
    from app.dashboard.views import bp as dashboard_bp
    from app.pairs.views import bp as pairs_bp
    from app.schedule.views import bp as schedule_bp
    from app.expenses.views import bp as expenses_bp
    from app.fieldapp.views import bp as fieldapp_bp
    from app.reminders.views import bp as reminders_bp
    from app.office.views import bp as office_bp
    from app.outcomes.views import bp as outcomes_bp
    from app.receipts.views import bp as receipts_bp
    from app.referrals.views import bp as referrals_bp
    from app.safeguarding.views import bp as safeguarding_bp
    from app.sync.views import bp as sync_bp
    from app.webpush.views import bp as webpush_bp
    from app.volunteers.views import bp as volunteers_bp
    from app.wellbeing.views import bp as wellbeing_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(office_bp)
    app.register_blueprint(safeguarding_bp)
    app.register_blueprint(expenses_bp)
    app.register_blueprint(sync_bp)
    app.register_blueprint(fieldapp_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(webpush_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(pairs_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(casework_bp)
    app.register_blueprint(data_protection_bp)
    app.register_blueprint(outcomes_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(wellbeing_bp)

    from app.cli import register_cli

    register_cli(app)
    return app
