"""The evaluators' export (docs/domain.md, "The evaluators' export"): a
pseudonymised CSV in long format, one row per client, period and measure
(and per wellbeing check), with a data dictionary describing every column
and value.

What it leaves out is the point: no name, address, date of birth, phone,
referrer, free text (a count's "source", reasons, notes), volunteer or
coordinator, and no exact date. Demand is placed by period (the periods are
already relative to the referral and the closure), a wellbeing check by its
period and the whole months since the referral. A client appears as a
pseudonym: an HMAC of their id under EVALUATOR_PSEUDONYM_KEY (app/config.py),
the same in every export made with that key (so two exports can be joined)
and impossible to work out from an id without it.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.clients.models import Client
from app.expenses.export import safe_cell
from app.outcomes import demand, rules
from app.scope import area_scope
from app.wellbeing.services import scores_of

# 16 hex characters (64 bits): no two of a scheme's few thousand clients share one.
PSEUDONYM_LENGTH = 16
ALL_AREAS = "all"
# Clients the scheme took on; a referral waiting or declined has no outcomes.
EXPORTED_STATUSES = ("active", "closed")
CASE_STATUS = {"active": "open", "closed": "closed"}
DEMAND_TOTAL = "demand_total"
WELLBEING_MEASURES = ("swemwbs_raw", "swemwbs_metric")
CONTENTS = {"demand": "Demand counts per period", "wellbeing": "Wellbeing (SWEMWBS) checks"}

COLUMNS = ("client_pseudonym", "area", "case_status", "period", "months_since_referral", "occasion", "measure",
           "value", "complete")

# The data dictionary: (field, value, meaning); value is empty for a column itself.
DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("client_pseudonym", "", f"The client, as {PSEUDONYM_LENGTH} hexadecimal characters: the same for the same "
     "client in every export made with the scheme's pseudonym key, so exports can be joined; it cannot be worked "
     "back to the person without the scheme's records and key."),
    ("area", "", "The scheme's area the client belongs to (a place, as the scheme names it)."),
    ("case_status", "", "Whether support has ended when the export was made."),
    ("case_status", "open", "Being supported: the periods during support and after closure are not known yet."),
    ("case_status", "closed", "Support has ended."),
    ("period", "", "The period a row is about, relative to the day the referral was received and the day the "
     "case closed. Empty on a wellbeing row outside the four periods."),
    *(("period", key, words) for key, words in (
        ("before_12_to_7", "The 7 to 12 months before the referral (12 months before it, to the day before the "
         "6 months before it)."),
        ("before_6", "The 6 months before the referral, to the day before it."),
        ("during", "From the day the referral was received to the day the case closed."),
        ("after_6", "The 6 months after the case closed, from the day after."),
    )),
    ("months_since_referral", "", "Wellbeing rows: whole months from the day the referral was received to the day "
     "the check was taken (negative before the referral). Empty on demand rows and when there is no referral day."),
    ("occasion", "", "Wellbeing rows: why the check was taken. Empty on demand rows."),
    ("occasion", "referral", "At the start of support."),
    ("occasion", "review", "A 3-monthly review."),
    ("occasion", "closure", "At closure."),
    ("measure", "", "What the value counts or scores."),
    *(("measure", key, f"{rules.MEASURE_NAMES[key]}: the number in the period, from the agencies' figures.")
      for key in rules.MEASURES),
    ("measure", DEMAND_TOTAL, "Demand: the sum of the four measures above in the period (what the reduction is "
     "worked out from)."),
    ("measure", "swemwbs_raw", "A SWEMWBS check's raw total, 7 to 35 (the sum of seven answers from 1 to 5)."),
    ("measure", "swemwbs_metric", "The same check's metric score, 7.00 to 35.00, from the published conversion "
     "table (Stewart-Brown and others, 2009)."),
    ("value", "", "A whole number (counts, raw scores) or a number with two decimals (metric scores). Empty on a "
     "demand row when nothing has been recorded for that measure and period, or the period is not known yet."),
    ("complete", "", "Demand rows: whether the counts cover every day of the period. Empty on wellbeing rows."),
    ("complete", "true", "Every day of the period is counted: the value is the period's figure."),
    ("complete", "false", "Some days are not counted (or none, or the period is not known yet): the value is what "
     "was recorded so far."),
)


def dictionary_by_column() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The dictionary per column, in the CSV's order: (column, meaning, [(value, meaning)])."""
    meanings = {field: meaning for field, value, meaning in DICTIONARY if not value}
    return [(column, meanings[column], [(v, m) for f, v, m in DICTIONARY if f == column and v]) for column in COLUMNS]


class ExportInputError(ValueError):
    """The choices cannot make an export: ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class ExportRefused(PermissionError):
    """The person may not export what they asked for (another area); the message says why."""


@dataclass(frozen=True)
class Choice:
    areas: tuple[Area, ...]       # the areas exported
    label: str                    # for the file name: an area's name, or "all-areas"
    contents: tuple[str, ...]     # keys of CONTENTS


def pseudonym(key: str, client_id: uuid.UUID) -> str:
    """The client's pseudonym under ``key`` (HMAC-SHA256 of the id's 16 bytes, truncated)."""
    return hmac.new(key.encode(), client_id.bytes, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def areas_for(session: Session, user: User) -> list[Area]:
    """The areas ``user`` may export, by name."""
    return list(session.scalars(select(Area).where(Area.id.in_(area_scope(user))).order_by(Area.name)))


def read_choice(session: Session, user: User, args) -> Choice:
    """The export asked for in ``args`` (``area``: an area's id or "all";
    ``include``: one or more of CONTENTS). ExportInputError for what cannot
    be read; ExportRefused for an area the person does not run."""
    errors = {}
    raw_area = str(args.get("area") or "").strip()
    mine = areas_for(session, user)
    chosen: tuple[Area, ...] = ()
    if not raw_area:
        errors["area"] = "Choose the area to export."
    elif raw_area == ALL_AREAS:
        if user.role != "admin":
            raise ExportRefused("Only an admin may export every area: choose your own area.")
        chosen = tuple(mine)
    else:
        try:
            area_id = uuid.UUID(raw_area)
        except ValueError:
            area_id = None
        area = session.get(Area, area_id) if area_id else None
        if area is None:
            errors["area"] = "Choose one of the areas listed."
        elif area.id not in {a.id for a in mine}:
            raise ExportRefused(f"You can export only your own area's clients, not {area.name}'s.")
        else:
            chosen = (area,)
    included = tuple(key for key in CONTENTS if key in args.getlist("include"))
    unknown = set(args.getlist("include")) - set(CONTENTS)
    if unknown or not included:
        errors["include-demand"] = "Choose what to include: demand counts, wellbeing checks or both."
    if errors:
        raise ExportInputError(errors)
    label = "all-areas" if raw_area == ALL_AREAS else chosen[0].name
    return Choice(chosen, label, included)


def months_since(start: date, day: date) -> int:
    """Whole months from ``start`` to ``day`` (a month counted once its same day is reached; negative before)."""
    months = (day.year - start.year) * 12 + day.month - start.month
    return months - 1 if rules.add_months(start, months) > day else months


def period_of(day: date, referred_on: date | None, closed_on: date | None) -> str:
    """The period ``day`` falls in ("during" runs on while the case is open); "" outside them all."""
    if referred_on is None:
        return ""
    if referred_on <= day and (closed_on is None or day <= closed_on):
        return "during"
    return next((p for p, w in rules.windows(referred_on, closed_on).items() if w.start <= day <= w.end), "")


def _demand_rows(session: Session, client: Client, head: tuple) -> list[tuple]:
    rows = []
    for p in demand.figures(session, client).periods:
        for m in p.measures:
            rows.append((*head, p.period, "", "", m.measure, m.total if m.counts else "", _yes(m.complete)))
        recorded = any(m.counts for m in p.measures)
        rows.append((*head, p.period, "", "", DEMAND_TOTAL, p.total if recorded else "", _yes(p.complete)))
    return rows


def _wellbeing_rows(session: Session, client: Client, head: tuple) -> list[tuple]:
    referred, closed = client.referral_received_on, demand.closed_on(client)
    rows = []
    for score in scores_of(session, client.id):
        where = (period_of(score.recorded_on, referred, closed),
                 "" if referred is None else months_since(referred, score.recorded_on), score.occasion)
        rows.append((*head, *where, "swemwbs_raw", score.raw_score, ""))
        rows.append((*head, *where, "swemwbs_metric", f"{score.metric_hundredths / 100:.2f}", ""))
    return rows


def _yes(flag: bool) -> str:
    return "true" if flag else "false"


def rows(session: Session, choice: Choice, key: str) -> list[tuple]:
    """The export's rows (COLUMNS), ordered by pseudonym (not by anything
    that could hint at who or when), then period and measure as listed."""
    names = {a.id: a.name for a in choice.areas}
    clients = session.scalars(select(Client).where(
        Client.area_id.in_(list(names)), Client.status.in_(EXPORTED_STATUSES), Client.deleted_at.is_(None)))
    found = []
    for client in clients:
        head = (pseudonym(key, client.id), names[client.area_id], CASE_STATUS[client.status])
        if "demand" in choice.contents:
            found += _demand_rows(session, client, head)
        if "wellbeing" in choice.contents:
            found += _wellbeing_rows(session, client, head)
    period_order = {p: i for i, p in enumerate(("", *rules.PERIODS))}
    measure_order = {m: i for i, m in enumerate((*rules.MEASURES, DEMAND_TOTAL, *WELLBEING_MEASURES))}
    return sorted(found, key=lambda r: (r[0], period_order[r[3]], r[4] if r[4] != "" else -10_000,
                                        measure_order[r[6]]))


def to_csv(table: list[tuple], header: tuple = COLUMNS) -> str:
    """CSV text with a header; a text cell a spreadsheet would run as a formula is defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in table:
        writer.writerow([cell if isinstance(cell, int) else safe_cell(cell) for cell in row])
    return out.getvalue()


def dictionary_csv() -> str:
    return to_csv(list(DICTIONARY), ("field", "value", "meaning"))


def filename(choice: Choice, today: date) -> str:
    """evaluators-<area>-<day>.csv, the area's name reduced to letters, digits and hyphens."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in choice.label.lower()).strip("-") or "area"
    return f"evaluators-{slug}-{today.isoformat()}.csv"
