"""Wires the features into the sync engine, which knows none of them:

- who may see what: app/scope.py registers the owner types and audiences;
- every feature's kinds, in the order pulls list them;
- what a pull tells a phone beside the records (its volunteer's pair, and
  their mileage so far this tax year with the rates in force).

Imported by create_app. A new feature's kinds module is imported here.
"""
from app import scope  # noqa: F401  (registers the owner types and audiences)
from app.clients import kinds as client_kinds  # noqa: F401
from app.expenses import kinds as expense_kinds  # noqa: F401
from app.expenses.services import mileage_so_far
from app.fieldwork import kinds as fieldwork_kinds  # noqa: F401
from app.sync.pull import register_section
from app.volunteers.services import current_pair

register_section("pair", current_pair)
register_section("mileage", mileage_so_far)
