"""The office fixtures shared with tests/pairs (clients, another area's coordinator,
volunteers with and without their checks, phones)."""
from tests.pairs.conftest import (  # noqa: F401
    Office,
    clients_by_name,
    fresh,
    office,
    other_area_coordinator,
    pairs_by_name,
    phone,
    raise_concern,
    user_id,
    volunteer,
)
