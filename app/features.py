"""Wires the features into the sync engine, which knows none of them:

- who may see what: app/scope.py registers the owner types and audiences;
- every feature's kinds, in the order pulls list them;
- what a pull tells a phone beside the records (its volunteer's pair, and
  their mileage so far this tax year with the rates in force);
- the audit log, told whose records each pull served.

Imported by create_app. A new feature's kinds module is imported here.
"""
from flask import has_request_context, request

from app import scope  # noqa: F401  (registers the owner types and audiences)
from app.audit import log as audit_log
from app.clients import kinds as client_kinds  # noqa: F401
from app.expenses import kinds as expense_kinds  # noqa: F401
from app.expenses.services import mileage_so_far
from app.fieldwork import kinds as fieldwork_kinds  # noqa: F401
from app.sync.pull import on_served, register_section
from app.volunteers.services import current_pair
from app.wellbeing import kinds as wellbeing_kinds  # noqa: F401

register_section("pair", current_pair)
register_section("mileage", mileage_so_far)


def _audit_pull(session, user, served) -> None:
    """Each client (or other person) whose records a pull served, audited as
    a view in the pull's transaction. A mentor's own expenses are not."""
    ip = request.remote_addr if has_request_context() else None
    for owner_type, owner_id in sorted(served):
        if (owner_type, owner_id) != ("volunteer", str(user.id)):
            audit_log.record(session, action="view", route="GET /api/sync/pull", user_id=user.id,
                             record_kind=owner_type, record_id=owner_id, status=200, ip=ip)


on_served(_audit_pull)
