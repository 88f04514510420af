"""The client as phones hold it: read-only, changed in the office.

A client is the owner of the records mentors make about them
(app/fieldwork/kinds.py), so its own owner column is its id.
"""
from __future__ import annotations

from app.clients.models import Client
from app.sync.kinds import Kind, register_kind

CLIENT = register_kind(Kind(
    "client", Client,
    ("name", "preferred_name", "phone", "address", "risks", "main_issues", "desired_outcome", "status"),
    owner="client", owner_field="id",
    read_only="Client records are changed in the office, not from the field app.",
))
