"""What the field app needs to know of the sync contract, from the kinds
registered with the engine (served to phones as /static/js/contract.js by
app/fieldapp, so the phone never copies it by hand).
"""
from __future__ import annotations

from marshmallow import fields, validate

from app.sync.kinds import KINDS
from app.sync.merge import DELETED
from app.sync.push import SCHEMA_VERSION


def _limits(field: fields.Field) -> dict:
    out = {}
    for rule in field.validators:
        if isinstance(rule, validate.Length) and rule.max is not None:
            out["max_length"] = rule.max
        elif isinstance(rule, validate.OneOf):
            out["choices"] = list(rule.choices)
        elif isinstance(rule, validate.Range):
            out.update({k: v for k, v in (("min", rule.min), ("max", rule.max)) if v is not None})
    return out


def phone_contract() -> dict:
    """The sync contract as plain JSON values.

    {"schema_version": 1, "deleted_field": "_deleted",
     "kinds": {"visit": {"fields": [...], "writable": true, "write_once": false,
                         "limits": {"notes": {"max_length": 20000}, "status": {"choices": [...]}}}}}
    Kinds are in registration order.
    """
    kinds = {}
    for name, kind in KINDS.items():
        limits = {}
        if kind.schema is not None:
            for field_name, field in kind.schema.fields.items():
                found = _limits(field)
                if found:
                    limits[field_name] = found
        kinds[name] = {"fields": list(kind.fields), "writable": kind.phone_writable,
                       "write_once": kind.write_once, "limits": limits}
    return {"schema_version": SCHEMA_VERSION, "deleted_field": DELETED, "kinds": kinds}
