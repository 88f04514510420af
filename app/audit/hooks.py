"""The one mechanism that audits every office request.

Registered on the app itself (not on a blueprint), so any page under /office/,
now or later, is covered. When a view commits its work, the entry is added
to that same transaction (a session ``before_commit`` listener), so the work
and its record commit or fail together. A request that commits nothing (a
page that only reads, a refused change, work rolled back) gets its entry
after the view, with the status it answered.

The record comes from the route's arguments (``claim_id`` -> kind ``claim``),
or from the view (``name_record``: the area an export was asked for); a list
page names no record. GET is a view, other methods a change, and an
endpoint named ``export...`` an export.
"""
from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import event

from app.audit.log import record
from app.db import db

AUDITED_PREFIXES = ("/office/", "/api/receipts/")


def _audited() -> bool:
    return request.path.startswith(AUDITED_PREFIXES) and request.endpoint is not None \
        and request.endpoint != "static" and not request.endpoint.endswith(".static")


# Posted forms that only read (a search whose terms stay out of the address).
READ_ONLY_POSTS = {"audit.log"}


def _action() -> str:
    if request.endpoint.rsplit(".", 1)[-1].startswith("export"):
        return "export"
    return "view" if request.method in ("GET", "HEAD") or request.endpoint in READ_ONLY_POSTS else "change"


def name_record(kind: str, record_id) -> None:
    """For a view whose record is not in its route (an export of one area
    chosen in the query): the entry of this request names it."""
    g.audit_record = (kind, record_id)


def _record_of():
    if "audit_record" in g:
        return g.audit_record
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") or name == "sha256":
            return name.removesuffix("_id"), value
    return None, None


def _entry(status=None):
    kind, record_id = _record_of()
    return dict(action=_action(), route=f"{request.method} {request.url_rule.rule if request.url_rule else request.path}",
                user_id=current_user.id if current_user.is_authenticated else None,
                record_kind=kind, record_id=record_id, status=status, ip=request.remote_addr)


def _before():
    if not _audited():
        return
    session = db.session
    state = {"added": False, "committed": False}

    def add_to_the_work(s):
        if not state["added"]:
            state["added"] = True
            record(s, **_entry())

    def committed(s):
        state["committed"] = state["committed"] or state["added"]

    def rolled_back(s):
        if not state["committed"]:
            state["added"] = False

    listeners = (("before_commit", add_to_the_work), ("after_commit", committed), ("after_rollback", rolled_back))
    for name, listener in listeners:
        event.listen(session, name, listener)
    g.audit = (session, listeners, state)


def _after(response):
    audit = g.pop("audit", None)
    if audit is None:
        return response
    session, listeners, state = audit
    for name, listener in listeners:
        event.remove(session, name, listener)
    if not state["committed"]:
        try:
            session.rollback()  # nothing of the view's is left to commit
            record(session, **_entry(response.status_code))
            session.commit()
        except Exception:
            session.rollback()
            raise
    return response


def init_app(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)
