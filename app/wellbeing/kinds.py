"""The wellbeing check (SWEMWBS) as the sync engine knows it: kind "wellbeing".

Owned by its client, like the fieldwork kinds. Phones write the day, the
occasion and the seven answers; they see, and never write, the raw total and
the metric score, which the server works out from the answers as it writes
the record (``derived``, with app/outcomes/rules.py): a phone sending them is
refused ("Unknown field."). Write-once: a score taken is a fact, so phones
may not change or delete one; a mistaken one is deleted in the office and
taken again. The office records scores through the same checks
(app/wellbeing/services.py).
"""
from __future__ import annotations

from datetime import date

from marshmallow import fields, validate

from app.days import today as today_in_london
from app.outcomes import rules
from app.sync.kinds import IsoDate, Kind, KindSchema, UuidString, register_kind
from app.wellbeing.models import QUESTIONS, WellbeingScore

OCCASIONS = rules.SWEMWBS_OCCASIONS
ANSWER_MESSAGE = "Question {n} (“{item}”): choose an answer from 1 (none of the time) to 5 (all of the time)."
MESSAGES = {
    "recorded_on": "Give the day the wellbeing check was taken.",
    "future": "The day of the check cannot be in the future.",
    "occasion": "Say when in support the check was taken: at referral, a 3-monthly review, or closure.",
}
WRITE_ONCE = ("A wellbeing check cannot be changed or deleted once saved. If it was recorded by mistake, "
              "ask your coordinator to delete it, then record it again.")


def _answer(n: int) -> fields.Integer:
    message = ANSWER_MESSAGE.format(n=n, item=rules.SWEMWBS_ITEMS[n - 1])
    return fields.Integer(strict=True, validate=validate.OneOf(sorted(rules.SWEMWBS_ANSWERS), error=message),
                          error_messages={"invalid": message, "null": message})


class WellbeingFields(KindSchema):
    client_id = UuidString()
    recorded_on = IsoDate(error_messages={"invalid": MESSAGES["recorded_on"], "null": MESSAGES["recorded_on"]})
    occasion = fields.String(validate=validate.OneOf(OCCASIONS, error=MESSAGES["occasion"]),
                             error_messages={"null": MESSAGES["occasion"]})
    q1, q2, q3, q4, q5, q6, q7 = (_answer(n) for n in range(1, len(QUESTIONS) + 1))


def answers_of(data: dict) -> list:
    return [data.get(q) for q in QUESTIONS]


def wellbeing_problems(data: dict, today: date | None = None) -> dict:
    """Rules across the fields: a day not in the future, an occasion, and
    all seven answers (rules.swemwbs_problems, each on its question)."""
    errors = {}
    if not data.get("recorded_on"):
        errors["recorded_on"] = [MESSAGES["recorded_on"]]
    elif date.fromisoformat(data["recorded_on"]) > (today or today_in_london()):
        errors["recorded_on"] = [MESSAGES["future"]]
    if data.get("occasion") not in OCCASIONS:
        errors["occasion"] = [MESSAGES["occasion"]]
    answers = answers_of(data)
    if rules.swemwbs_problems(answers):
        for n, (q, answer) in enumerate(zip(QUESTIONS, answers), start=1):
            # The rule's own test, on this one answer (a set of seven of it).
            if rules.swemwbs_problems([answer] * len(QUESTIONS)):
                errors[q] = [ANSWER_MESSAGE.format(n=n, item=rules.SWEMWBS_ITEMS[n - 1])]
    return errors


def scores(data: dict) -> dict:
    """The raw total and the metric score (hundredths) of a record's answers
    (JSON-form data), as columns; nothing while the answers are incomplete
    (such a record is refused before it is written)."""
    answers = answers_of(data)
    if rules.swemwbs_problems(answers):
        return {}
    raw, metric = rules.swemwbs_scores(answers)
    return {"raw_score": raw, "metric_hundredths": int(metric * 100)}


PHONE_FIELDS = ("client_id", "recorded_on", "occasion", *QUESTIONS, "raw_score", "metric_hundredths")

WELLBEING = register_kind(Kind(
    "wellbeing", WellbeingScore, PHONE_FIELDS,
    owner="client", owner_field="client_id",
    schema=WellbeingFields(), required=("client_id",), immutable=("client_id",),
    problems=wellbeing_problems, derived=scores, write_once=WRITE_ONCE,
))
