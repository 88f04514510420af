"""Records owned by the volunteer who made them, not by a client: the engine
takes a kind with another owner type without any change to it (what expenses
will need). The kind here exists only in this test."""
import uuid

import pytest
from marshmallow import fields
from sqlalchemy import BigInteger, Column, MetaData, String, Table, Uuid

from app.db import UTCDateTime
from app.sync import kinds as registry
from app.sync.kinds import Kind, KindSchema, text
from tests.sync.conftest import mutation

NOTES = Table(
    "test_volunteer_notes", MetaData(),
    Column("id", Uuid, primary_key=True), Column("rev", BigInteger), Column("seq", BigInteger),
    Column("deleted_at", UTCDateTime(timezone=True)), Column("created_at", UTCDateTime(timezone=True)),
    Column("updated_at", UTCDateTime(timezone=True)), Column("created_by_id", Uuid), Column("updated_by_id", Uuid),
    Column("volunteer_id", Uuid), Column("note", String(200)),
)


class Note:
    __table__ = NOTES


class NoteFields(KindSchema):
    note = text(200)
    miles = fields.Integer()  # not a column: never sent in this test


@pytest.fixture
def own_notes(app, demo):
    kind = Kind("own_note", Note, ("volunteer_id", "note"), owner="volunteer", owner_field="volunteer_id",
                schema=NoteFields(only=("note",)), owned_by_author=True)
    engine = app.extensions["database"]["engine"]
    NOTES.create(engine)
    registry.register_kind(kind)
    yield kind
    registry.KINDS.pop(kind.name)
    registry._converters.cache_clear()
    NOTES.drop(engine)


def kinds_of(changes, kind="own_note"):
    return [c for c in changes if c["kind"] == kind]


def test_a_volunteers_own_record_reaches_them_and_their_coordinator_but_not_their_partner(own_notes, phone, api, demo):
    from tests.sync.conftest import Phone

    amira, ben = phone("amira@demo.test"), phone("ben@demo.test")
    note_id = uuid.uuid4()
    [made] = amira.push(mutation("own_note", note_id, "create", {"note": "Bus fare to Margaret's"}))
    assert made["status"] == "applied"

    [mine] = kinds_of(amira.pull_all()[0])
    assert mine["id"] == str(note_id) and mine["data"]["note"] == "Bus fare to Margaret's"
    assert mine["data"]["volunteer_id"]  # set by the server to the author
    assert kinds_of(ben.pull_all()[0]) == []  # the partner shares the clients, not the volunteer's own records
    coordinator = Phone(api("coordinator@demo.test"))
    assert [c["id"] for c in kinds_of(coordinator.pull_all()[0])] == [str(note_id)]

    [refused] = ben.push(mutation("own_note", note_id, "update", {"note": "changed"}, base_rev=1))
    assert refused["status"] == "rejected" and "id" in refused["errors"]


def test_two_devices_of_the_owner_conflict_and_only_the_owner_is_shown_it(own_notes, phone, demo):
    first, second, ben = phone("amira@demo.test"), phone("amira@demo.test"), phone("ben@demo.test")
    note_id = uuid.uuid4()
    first.push(mutation("own_note", note_id, "create", {"note": "one"}))
    first.push(mutation("own_note", note_id, "update", {"note": "two"}, base={"note": "one"}, base_rev=1))
    [clash] = second.push(mutation("own_note", note_id, "update", {"note": "three"}, base={"note": "one"}, base_rev=1))
    assert clash["status"] == "conflict"

    [conflict] = second.pull_all()[2]
    assert conflict["record_id"] == str(note_id) and conflict["theirs"] == "two" and conflict["mine"] == "three"
    assert ben.pull_all()[2] == []


def test_the_phone_cannot_name_another_owner(own_notes, phone, demo):
    amira = phone("amira@demo.test")
    [refused] = amira.push(mutation("own_note", uuid.uuid4(), "create",
                                    {"note": "x", "volunteer_id": str(uuid.uuid4())}))
    assert refused["status"] == "rejected" and "volunteer_id" in refused["errors"]
