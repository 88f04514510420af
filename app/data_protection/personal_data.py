"""The map of personal data: for every table, whose data its rows are and
what each column is.

- ``owner``: whose personal data a row is. ``CLIENT`` (a referred adult),
  ``PERSON`` (someone who signs in: a volunteer, coordinator or admin) or
  ``NOBODY`` (reference data and the sync engine's bookkeeping).
- ``owner_column``: the column naming the row's owner, when the row says so
  itself (``client_id``, ``user_id``); None when the table as a whole is the
  owner's once reached from them (a concern's actions, a pair's block).
- every column is exactly one of ``IDENTIFYING`` (names, addresses, phone,
  email, date of birth, free text: what the retention command removes and
  what a subject access export gives only to the person it is about),
  ``KEPT`` (ids, counts, dates, states: what the outcome figures need) or
  ``SECRET`` (credentials: never exported).

tests/data_protection/test_personal_data.py fails when a table or column is
added that this map does not name, so new personal data cannot slip past
the export and the retention command. Pure data: no framework here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CLIENT = "client"
PERSON = "person"
NOBODY = "nobody"

IDENTIFYING = "identifying"
KEPT = "kept"
SECRET = "secret"

# The columns every synced record carries (app/sync/columns.py).
SYNCED = ("id", "rev", "seq", "deleted_at", "created_at", "updated_at", "created_by_id", "updated_by_id")


@dataclass(frozen=True)
class TableMap:
    owner: str
    owner_column: str | None
    identifying: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()
    # Identifying columns that must keep a value when anonymised (a NOT NULL
    # column, or a check constraint that needs one): they get REMOVED instead of NULL.
    keeps_a_value: tuple[str, ...] = field(default=())
    # Identifying columns of someone else's row that may describe a client
    # when the row is reached from them (a volunteer's journey to the
    # client's visit names the client's street): the retention command
    # replaces them with REMOVED along with the client's own rows.
    about_a_client: tuple[str, ...] = field(default=())

    def kind_of(self, column: str) -> str | None:
        for kind, names in ((IDENTIFYING, self.identifying), (KEPT, self.kept), (SECRET, self.secret)):
            if column in names:
                return kind
        return None


TABLES: dict[str, TableMap] = {
    # -- clients and what is recorded about them ----------------------------------
    "clients": TableMap(
        CLIENT, "id",
        identifying=("name", "preferred_name", "phone", "address", "date_of_birth", "referred_by",
                     "referrer_contact", "main_issues", "desired_outcome", "risks", "other_information",
                     "decision_reason"),
        kept=SYNCED + ("area_id", "status", "age_at_referral", "consent_given", "high_impact_user",
                       "referral_received_on", "decided_at", "closed_at", "anonymised_at"),
        keeps_a_value=("name",)),
    "client_assignments": TableMap(
        CLIENT, "client_id", identifying=("end_reason",),
        kept=("id", "client_id", "pair_id", "started_at", "ended_at", "assigned_by_id")),
    "referral_facts": TableMap(
        CLIENT, "client_id",
        kept=("client_id", "social_isolation", "anxiety", "recorded_by_id", "recorded_at")),
    "referral_decisions": TableMap(
        CLIENT, "client_id", identifying=("reason", "will_note", "age_override_reason"),
        kept=("id", "client_id", "outcome", "review_on", "will_to_change", "by_id", "created_at"),
        keeps_a_value=("reason",)),
    "visits": TableMap(
        CLIENT, "client_id", identifying=("location", "notes"),
        kept=SYNCED + ("client_id", "scheduled_start", "scheduled_start_at", "duration_minutes", "actual_minutes",
                       "status", "checked_in_at", "checked_out_at")),
    "goals": TableMap(
        CLIENT, "client_id", identifying=("title", "reality", "options", "will"),
        kept=SYNCED + ("client_id", "status", "target_date"), keeps_a_value=("title",)),
    "progress_entries": TableMap(
        CLIENT, "client_id", identifying=("note",),
        kept=SYNCED + ("client_id", "goal_id", "visit_id", "score", "recorded_at")),
    "problems": TableMap(
        CLIENT, "client_id", identifying=("scanning", "analysis", "response", "assessment"),
        kept=SYNCED + ("client_id",)),
    "concerns": TableMap(
        CLIENT, "client_id", identifying=("details",),
        kept=SYNCED + ("client_id", "visit_id", "category", "urgency", "acknowledged_at", "acknowledged_by_id"),
        keeps_a_value=("details",)),
    "concern_actions": TableMap(
        CLIENT, None, identifying=("text",), kept=("id", "concern_id", "kind", "by_id", "created_at")),
    "demand_counts": TableMap(
        CLIENT, "client_id",
        # Where a figure came from and why it was corrected are free text;
        # the counts, measures, periods and spans are what the outcomes need.
        identifying=("source", "replaced_reason"),
        kept=("id", "client_id", "measure", "period", "first_day", "last_day", "count", "obtained_on",
              "recorded_by_id", "recorded_at", "replaces_id", "replaced_at", "replaced_by_id", "withdrawn"),
        keeps_a_value=("source", "replaced_reason")),
    "wellbeing_scores": TableMap(
        CLIENT, "client_id",
        kept=SYNCED + ("client_id", "recorded_on", "occasion", "q1", "q2", "q3", "q4", "q5", "q6", "q7",
                       "raw_score", "metric_hundredths")),
    # A conflict holds both sides' values of a client's record.
    "sync_conflicts": TableMap(
        CLIENT, "owner_id", identifying=("base", "mine", "theirs"),
        kept=("id", "kind", "record_id", "owner_type", "owner_id", "field", "raised_by_id", "mutation_id",
              "created_at", "resolved_at", "resolved_by_id", "resolved_by_mutation_id")),
    # -- people who sign in --------------------------------------------------------
    "users": TableMap(
        PERSON, "id", identifying=("email", "name"), secret=("password_hash",),
        kept=("id", "role", "area_id", "active", "must_change_password", "created_at", "updated_at")),
    "sign_ins": TableMap(
        PERSON, "user_id", identifying=("device",), secret=("secret_hash",),
        kept=("id", "user_id", "app", "started_at", "last_seen_at", "expires_at", "ended_at", "end_reason",
              "ended_by_id")),
    "compliance_checks": TableMap(
        PERSON, "user_id", identifying=("dbs_certificate_number",),
        kept=("id", "user_id", "kind", "completed_on", "expires_on", "dbs_level", "recorded_by_id",
              "recorded_at")),
    "pair_memberships": TableMap(PERSON, "user_id", kept=("id", "pair_id", "user_id", "joined_at", "left_at")),
    # The reason names the members who lack checks.
    "pair_blocks": TableMap(PERSON, None, identifying=("reason",), kept=("pair_id", "blocked_since")),
    "reminder_preferences": TableMap(
        PERSON, "user_id", kept=("user_id", "enabled", "evening_time", "minutes_before", "updated_at")),
    # A subscription's endpoint and keys let anyone send the phone messages.
    "webpush_subscriptions": TableMap(
        PERSON, "user_id", secret=("endpoint", "p256dh", "auth"),
        kept=("id", "user_id", "created_at", "last_sent_at")),
    "reminder_sends": TableMap(
        PERSON, None,
        kept=("id", "visit_id", "concern_id", "subscription_id", "kind", "visit_start_at", "status", "attempts",
              "next_attempt_at", "claimed_at", "sent_at", "detail")),
    "expense_claims": TableMap(
        PERSON, "volunteer_id", identifying=("title", "decision_reason"),
        kept=SYNCED + ("volunteer_id", "status", "declaration_accepted", "submitted_at", "decided_at",
                       "decided_by_id", "paid_on", "total_pence")),
    "expense_items": TableMap(
        PERSON, "volunteer_id", identifying=("from_place", "to_place", "description"),
        kept=SYNCED + ("volunteer_id", "claim_id", "item_type", "spent_on", "miles_tenths", "vehicle",
                       "passengers", "visit_id", "category", "amount_pence", "receipt_sha256", "claimed_pence",
                       "rate_note"),
        about_a_client=("from_place", "to_place", "description")),
    "receipts": TableMap(
        PERSON, "uploaded_by_id", kept=("sha256", "uploaded_by_id", "content_type", "size_bytes", "created_at")),
    "sync_mutations": TableMap(
        PERSON, "user_id",
        kept=("mutation_id", "user_id", "device_id", "kind", "record_id", "result", "wrote_rev", "created_at")),
    # Who did what: the address it came from is the doer's.
    "audit_entries": TableMap(
        PERSON, "user_id", identifying=("ip",),
        kept=("id", "at", "user_id", "action", "route", "record_kind", "record_id", "status")),
    # -- nobody's ------------------------------------------------------------------
    "areas": TableMap(NOBODY, None, kept=("id", "name", "active")),
    "mentor_pairs": TableMap(NOBODY, None, kept=("id", "name", "area_id", "active", "created_at")),
    "mileage_rates": TableMap(NOBODY, None, kept=("id", "vehicle", "from_mile", "pence_per_mile", "effective_from")),
    "sync_counter": TableMap(NOBODY, None, kept=("id", "value")),
    "sync_scope_events": TableMap(
        NOBODY, None,
        kept=("id", "seq", "owner_type", "owner_id", "audience_kind", "audience_id", "created_at")),
}

# What an identifying column that must keep a value holds once anonymised.
REMOVED = "Removed (anonymised)"
ANONYMISED_PREFIX = "Anonymised client "


def short_reference(client_id) -> str:
    """A short name for a client that says nothing about them: the start of
    their record's id (kept anyway, as every row's key). Not the evaluators'
    pseudonym (app/outcomes/evaluator_export.py), which is keyed."""
    return str(client_id)[:8]


def anonymised_name(client_id) -> str:
    """The name an anonymised client carries (clients.anonymised_at says when)."""
    return f"{ANONYMISED_PREFIX}{short_reference(client_id)}"


def unmapped(tables: dict[str, list[str]]) -> list[str]:
    """What the map does not classify, or classifies twice or wrongly, among
    ``tables`` ({table name: column names}), as sentences; [] when all is well."""
    problems = []
    for table, columns in sorted(tables.items()):
        entry = TABLES.get(table)
        if entry is None:
            problems.append(f"table {table} is not in the map (app/data_protection/personal_data.py)")
            continue
        for column in columns:
            kinds = [kind for kind, names in ((IDENTIFYING, entry.identifying), (KEPT, entry.kept),
                                              (SECRET, entry.secret)) if column in names]
            if len(kinds) != 1:
                problems.append(f"column {table}.{column} is classified {len(kinds)} times, not once")
        for column in entry.identifying + entry.kept + entry.secret + entry.keeps_a_value + entry.about_a_client:
            if column not in columns:
                problems.append(f"the map names {table}.{column}, which the table does not have")
        if entry.owner_column is not None and entry.owner_column not in columns:
            problems.append(f"the owner column {table}.{entry.owner_column} does not exist")
        for column in entry.keeps_a_value + entry.about_a_client:
            if column not in entry.identifying:
                problems.append(f"{table}.{column} keeps a value or is about a client but is not identifying")
    for table in sorted(set(TABLES) - set(tables)):
        problems.append(f"the map names table {table}, which does not exist")
    return problems
