"""Readable error pages for people (office pages, sign-in, mistyped addresses).

app/errors.py answers errors under /api/ with JSON and hands everything else
Werkzeug's bare pages ("Not Found", "Method Not Allowed", a bare "Bad Request"
for an expired form). These handlers take those codes for pages people read,
and pass anything under /api/ straight back to the app's JSON handler.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from app.errors import error_response

PAGES = {
    400: ("Sorry, there is a problem", None),  # the message is the error's own, e.g. "The form expired..."
    404: ("Page not found", "If you typed the web address, check it is correct. "
                            "If you pasted it, check you copied all of it."),
    405: ("This page cannot be opened like that", "The address is for a form or for the mentors' app, "
                                                  "not a page to open on its own."),
}


def _app_json_handler(err: HTTPException):
    """The app's own handler for HTTP errors (app/errors.py), which answers /api/ with JSON."""
    handler = current_app.error_handler_spec[None][None].get(HTTPException)
    if handler is not None:
        return handler(err)
    return error_response(err.code or 500, err.description or "Error")


def page_for_error(err: HTTPException):
    if request.path.startswith("/api/"):
        return _app_json_handler(err)
    heading, message = PAGES[err.code]
    page = render_template("office/error.html", heading=heading, message=message or err.description)
    # Keep what the error says in its headers, such as a 405's Allow.
    headers = [(name, value) for name, value in err.get_headers() if name.lower() != "content-type"]
    return page, err.code, headers


def register(bp: Blueprint) -> None:
    for code in PAGES:
        bp.app_errorhandler(code)(page_for_error)
