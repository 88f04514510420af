"""The eligibility checklist of a referral: pure rules on plain values.

"We would always rather say yes than no": the checklist informs the
coordinator, who decides. One rule is firm: accepting someone who is not
known to be 18 or over needs a reason for the exception (``accept_problem``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ADULT_AGE = 18


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool | None  # None: not known yet
    note: str


def age_on(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (a 29 February birthday counts on 1 March in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_adult(age: int | None) -> bool | None:
    return None if age is None else age >= ADULT_AGE


def checklist(*, age: int | None, high_impact_user: bool, social_isolation: bool, anxiety: bool,
              will_to_change: bool | None, will_note: str | None, consent_given: bool) -> list[Criterion]:
    """The four criteria, in the order the scheme states them."""
    adult = is_adult(age)
    if adult is None:
        age_note = "Age not known: ask the referrer for the date of birth."
    elif adult:
        age_note = f"Aged {age}."
    else:
        age_note = f"Aged {age}: under 18. Accepting needs a reason for the exception."
    reasons = [words for flag, words in ((high_impact_user, "a high-impact user"),
                                         (social_isolation, "socially isolated"),
                                         (anxiety, "suffering anxiety")) if flag]
    need_note = ("Referred as " + " and ".join(reasons) + ".") if reasons else \
        "None of these is recorded on the referral."
    if will_to_change is None:
        will_note_shown = "Not judged yet: record your judgement with the decision."
    else:
        will_note_shown = (will_note or "").strip() or ("Judged yes." if will_to_change else "Judged not yet.")
    return [
        Criterion("age", "Aged 18 or over", adult, age_note),
        Criterion("need", "A high-impact user, or suffering social isolation or anxiety", bool(reasons), need_note),
        Criterion("will", "Will, want and/or capacity to change (the coordinator's judgement)",
                  will_to_change, will_note_shown),
        Criterion("consent", "Consent given to the referral", consent_given,
                  "The person agreed to be referred." if consent_given else "Consent is not recorded: check with the referrer."),
    ]


def accept_problem(age: int | None, age_override_reason: str | None) -> str | None:
    """Why accepting is refused, or None. Only the age is firm: someone under
    18, or of unknown age, can be accepted only with a reason for the exception."""
    if is_adult(age) or (age_override_reason or "").strip():
        return None
    if age is None:
        return "The age is not known. Give a reason for accepting anyway, or ask the referrer first."
    return f"They are {age}, under 18. Give a reason for accepting anyway, or decline or ask for more information."


def normalise_name(name: str) -> str:
    """A name as duplicates are compared: case and spaces ignored."""
    return "".join(name.split()).casefold()
