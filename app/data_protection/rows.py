"""Every row held about one client or one person who signs in, found from
the database's own foreign keys, so a new table that points at a client
(or at a client's visit, goal, concern...) is found without a change here.

From the person's own row, every row whose foreign key points at a row
already found is found too; the search goes on through rows that are the
subject's own kind of data (a client's visits lead to their progress and
concerns' actions) and stops at anyone else's (a visit's expense journey is
found, the rest of that volunteer's claim is not). A few links are not
foreign keys: the sync engine names records by kind and id, and the audit
log by id; they are followed below.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from app.data_protection.personal_data import CLIENT, PERSON, TABLES
from app.db import Base


@dataclass
class Found:
    """The rows found, by table, each a dict of column -> value, with which of them are the subject's own."""

    subject: str  # CLIENT or PERSON
    subject_id: uuid.UUID
    rows: dict[str, dict[tuple, dict]] = field(default_factory=lambda: defaultdict(dict))
    own: dict[str, set[tuple]] = field(default_factory=lambda: defaultdict(set))

    def add(self, table: Table, row: dict, own: bool) -> bool:
        key = tuple(row[c.name] for c in table.primary_key.columns)
        new = key not in self.rows[table.name]
        self.rows[table.name][key] = row
        if own:
            self.own[table.name].add(key)
        return new

    def ids(self) -> set[str]:
        """Every single-column key found that names a record (a UUID), as text:
        how the audit log names records. Numbered rows (audit entries, scope
        events) are no record's name."""
        return {str(key[0]) for keyed in self.rows.values() for key in keyed
                if len(key) == 1 and isinstance(key[0], uuid.UUID)}


def _tables() -> dict[str, Table]:
    return dict(Base.metadata.tables)


def _is_own(subject: str, subject_id, table: Table, row: dict, reached_from_own: bool) -> bool:
    """A row is the subject's own data when its table is their kind's and it
    names them (or, for a table with no owner column, it was reached from
    their own data)."""
    entry = TABLES[table.name]
    if entry.owner != subject:
        return False
    if entry.owner_column is None:
        return reached_from_own
    return row[entry.owner_column] == subject_id


def _select(session: Session, table: Table, *conditions) -> list[dict]:
    return [dict(r) for r in session.execute(select(table).where(or_(*conditions))).mappings()]


def find(session: Session, subject: str, subject_id: uuid.UUID) -> Found:
    """Every row about ``subject_id`` (a client's id, or a user's)."""
    tables = _tables()
    found = Found(subject, subject_id)
    start = tables["clients" if subject == CLIENT else "users"]
    first = _select(session, start, start.c.id == subject_id)
    if not first:
        raise LookupError(f"no {subject} {subject_id}")
    found.add(start, first[0], own=True)
    frontier = {start.name}
    while frontier:
        grown = set()
        for table in tables.values():
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent not in frontier:
                    continue
                # Only the subject's own rows lead further (see the module's docstring).
                values = [row[fk.column.name] for key, row in found.rows[parent].items() if key in found.own[parent]]
                if not values:
                    continue
                for row in _select(session, table, fk.parent.in_(values)):
                    if found.add(table, row, _is_own(subject, subject_id, table, row, reached_from_own=True)):
                        grown.add(table.name)
        frontier = grown
    _links_that_are_not_foreign_keys(session, tables, found)
    return found


def _links_that_are_not_foreign_keys(session: Session, tables: dict[str, Table], found: Found) -> None:
    if found.subject == CLIENT:
        for name in ("sync_conflicts", "sync_scope_events"):
            table = tables[name]
            about = (table.c.owner_type == "client") & (table.c.owner_id == found.subject_id)
            for row in _select(session, table, about):
                found.add(table, row, own=TABLES[name].owner == CLIENT)
        # Phones' changes name synced records (those with a rev) by id.
        record_ids = [key[0] for name, keyed in found.rows.items() if "rev" in tables[name].c for key in keyed]
        mutations = tables["sync_mutations"]
        for row in _select(session, mutations, mutations.c.record_id.in_(record_ids)):
            found.add(mutations, row, own=False)
    else:
        # The pairs they were in, those pairs' blocks, their area, and the
        # sync engine's record of them leaving someone's scope.
        pair_ids = [row["pair_id"] for row in found.rows["pair_memberships"].values()]
        for name, condition in (("mentor_pairs", tables["mentor_pairs"].c.id.in_(pair_ids)),
                                ("pair_blocks", tables["pair_blocks"].c.pair_id.in_(pair_ids))):
            for row in _select(session, tables[name], condition):
                found.add(tables[name], row, own=TABLES[name].owner == PERSON and TABLES[name].owner_column is None)
        user = next(iter(found.rows["users"].values()))
        if user["area_id"] is not None:
            for row in _select(session, tables["areas"], tables["areas"].c.id == user["area_id"]):
                found.add(tables["areas"], row, own=False)
        events = tables["sync_scope_events"]
        about = (events.c.owner_type == "volunteer") & (events.c.owner_id == found.subject_id)
        for row in _select(session, events, about):
            found.add(events, row, own=False)
    # The audit log: entries about any record found (by the subject, for a
    # person, came with the foreign key above).
    audit = tables["audit_entries"]
    ids = sorted(found.ids())
    for start in range(0, len(ids), 500):
        for row in _select(session, audit, audit.c.record_id.in_(ids[start:start + 500])):
            found.add(audit, row, own=_is_own(found.subject, found.subject_id, audit, row, False))
