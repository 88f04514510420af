"""The subject access export: everything held on one client or one person
who signs in, as a zip.

- ``<table>.csv``: one per table with rows about the person, with every
  column that is not SECRET (personal_data.py). Identifying columns are
  filled only in the person's own rows: someone else's name, address, notes
  or sign-in address in a row that merely mentions the person (a volunteer's
  journey to a client's visit, a visit a volunteer wrote) is third-party data
  and is left out ("withheld").
- ``everything.json``: the same rows, by table.
- ``people.csv``: the names (and roles) of the staff and volunteers the rows
  name by id, so the export reads without their other details.
- ``audit_entries.csv`` is the audit trail: who saw, changed or exported
  the person's records, and for a volunteer what they did.
- ``receipts/``: a volunteer's receipt files, as stored.
- ``summary.txt``: who, when, by whom, what each file holds, with counts.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.data_protection.personal_data import CLIENT, SECRET, TABLES
from app.data_protection.rows import Found
from app.db import Base

WITHHELD = "(withheld: someone else's details)"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
# A cell starting with one of these is a formula to a spreadsheet: kept as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(value):
    """A value as JSON holds it: ids and instants as text."""
    if isinstance(value, (uuid.UUID,)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    text = json.dumps(value) if isinstance(value, (dict, list)) else str(plain(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def exported_rows(found: Found) -> dict[str, list[dict]]:
    """The rows to export, by table, each column as it is to be shown, in a steady order."""
    out = {}
    for name in sorted(found.rows):
        keyed = found.rows[name]
        if not keyed:
            continue
        entry = TABLES[name]
        columns = [c.name for c in Base.metadata.tables[name].columns if entry.kind_of(c.name) != SECRET]
        rows = []
        for key in sorted(keyed, key=lambda k: tuple(str(p) for p in k)):
            row, own = keyed[key], key in found.own[name]
            rows.append({c: plain(row[c]) if own or c not in entry.identifying or row[c] is None else WITHHELD
                         for c in columns})
        out[name] = rows
    return out


def _people(session: Session, rows: dict[str, list[dict]]) -> list[dict]:
    """Who the rows name by a user id: name and role only."""
    from app.accounts.models import User

    ids = set()
    for name, table_rows in rows.items():
        user_columns = [fk.parent.name for fk in Base.metadata.tables[name].foreign_keys
                        if fk.column.table.name == "users"]
        for row in table_rows:
            ids.update(uuid.UUID(row[c]) for c in user_columns if row.get(c))
    people = session.execute(select(User.id, User.name, User.role).where(User.id.in_(ids)).order_by(User.name))
    return [{"id": str(i), "name": n, "role": r} for i, n, r in people]


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


DESCRIPTIONS = {
    "clients": "the referral and client record",
    "client_assignments": "the pairs that supported the client, and why each ended",
    "referral_facts": "the eligibility facts recorded with the referral",
    "referral_decisions": "the decisions on the referral",
    "visits": "visits, planned and done",
    "goals": "GROW goals",
    "progress_entries": "progress on the goals",
    "problems": "SARA problem plans",
    "concerns": "safeguarding concerns",
    "concern_actions": "what the office did about each concern",
    "demand_counts": "counts of demand on the police and other services",
    "wellbeing_scores": "SWEMWBS wellbeing checks",
    "sync_conflicts": "edits two phones made at once, and how they were settled",
    "sync_scope_events": "when the records left someone's phones",
    "sync_mutations": "the changes phones sent about these records (the record of each change, not its content)",
    "audit_entries": "the audit trail: who saw, changed or exported these records, when",
    "users": "the account",
    "sign_ins": "the phones and browsers signed in",
    "compliance_checks": "DBS, vetting and training checks",
    "pair_memberships": "time in each mentor pair",
    "mentor_pairs": "the pairs",
    "pair_blocks": "when a pair was stopped because a check had lapsed",
    "reminder_preferences": "visit reminder settings",
    "reminder_sends": "visit reminders and alerts sent",
    "webpush_subscriptions": "the browsers that receive reminders (their keys withheld)",
    "expense_claims": "expense claims",
    "expense_items": "journeys and costs claimed",
    "receipts": "receipt files uploaded",
    "areas": "the area",
}


def build(session: Session, found: Found, *, who: str, by: str, at: datetime, receipts_dir: str | None) -> bytes:
    """The zip of everything in ``found`` about ``who``, exported ``at`` by ``by``."""
    rows = exported_rows(found)
    people = _people(session, rows)
    files: list[tuple[str, str]] = []  # (file name, what it holds)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table_rows in rows.items():
            archive.writestr(f"{name}.csv", _csv(table_rows))
            files.append((f"{name}.csv", f"{len(table_rows)} row{'s' if len(table_rows) != 1 else ''}: "
                                         f"{DESCRIPTIONS.get(name, name)}"))
        if people:
            archive.writestr("people.csv", _csv(people))
            files.append(("people.csv", f"{len(people)} staff and volunteers named in the rows (name and role only)"))
        archive.writestr("everything.json", json.dumps({"subject": who, "exported_at": at.isoformat(),
                                                       "exported_by": by, "tables": rows, "people": people},
                                                      indent=1, default=str))
        files.append(("everything.json", "the same rows, by table, as JSON"))
        own_receipts = [found.rows["receipts"][key] for key in sorted(found.own["receipts"])]
        for receipt in own_receipts if receipts_dir is not None else []:
            path = Path(receipts_dir) / receipt["sha256"][:2] / receipt["sha256"]
            name = f"receipts/{receipt['sha256']}.{EXTENSIONS.get(receipt['content_type'], 'bin')}"
            if path.is_file():
                archive.write(path, name)
                files.append((name, f"a receipt uploaded {receipt['created_at'].date().isoformat()}"))
            else:
                files.append((name, "not included: the file is missing from the receipts folder"))
        archive.writestr("summary.txt", summary(who=who, by=by, at=at, subject=found.subject, files=files))
    return out.getvalue()


def summary(*, who: str, by: str, at: datetime, subject: str, files: list[tuple[str, str]]) -> str:
    kind = "client" if subject == CLIENT else "person who signs in (volunteer or staff)"
    lines = [
        "Subject access export",
        "=====================",
        "",
        f"About: {who} ({kind})",
        f"Exported: {at.strftime('%d/%m/%Y %H:%M')} UTC",
        f"Exported by: {by}",
        "",
        "Everything the peer mentoring scheme's system holds about this person, one file per",
        "table. Columns with someone else's details (a volunteer's address in a journey, notes",
        f"a volunteer wrote about a client) say \"{WITHHELD}\". Passwords, sign-in",
        "secrets and push keys are never exported. Names of staff and volunteers in the rows",
        "are in people.csv. Dates and times are UTC. This export is itself recorded in the",
        "audit log, after the entries listed here.",
        "",
        "Files:",
    ]
    lines += [f"- {name}: {what}" for name, what in files]
    lines += ["- summary.txt: this summary", ""]
    return "\r\n".join(lines)
