"""Who owns synced records, and whose scope each owner is in.

Every synced record belongs to one owner: a client (a visit, a goal) or the
volunteer who made it (an expense claim). For each owner type the engine
needs a SELECT of the owner ids a user may see and change. When an owner
leaves someone's scope, a ScopeEvent names the audience that lost it (a
group of users: a pair, an area), and a user's pull looks at the events of
the audiences they are or were in.

What these mean is decided in one place, app/scope.py, which registers them
here: the engine knows no feature.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Select

if TYPE_CHECKING:
    from app.accounts.models import User


@dataclass(frozen=True)
class OwnerType:
    name: str  # "client"
    noun: str  # how messages name one: "client"
    scope: Callable[[User], Select]  # a SELECT of the ids of owners the user may see and change
    # Other scopes a kind may create records in (Kind.create_scope), e.g. a
    # report that must get through when the user may no longer see the owner.
    extra_scopes: dict = field(default_factory=dict)


OWNER_TYPES: dict[str, OwnerType] = {}
# user -> [(audience kind, ids of audiences the user is or was in)]
_audiences: list[Callable[[User], Iterable[tuple[str, object]]]] = []


def register_owner_type(owner_type: OwnerType) -> OwnerType:
    existing = OWNER_TYPES.get(owner_type.name)
    if existing is not None and existing is not owner_type:
        raise ValueError(f"A different owner type {owner_type.name!r} is already registered.")
    OWNER_TYPES[owner_type.name] = owner_type
    return owner_type


def register_audiences(audiences: Callable[[User], Iterable[tuple[str, object]]]) -> None:
    """Tell the engine which audiences a user belongs to (see ScopeEvent)."""
    _audiences[:] = [audiences]


def owner_type(name: str) -> OwnerType:
    return OWNER_TYPES[name]


def audiences_of(user: User) -> list[tuple[str, object]]:
    return [audience for find in _audiences for audience in find(user)]
