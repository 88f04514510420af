from tests.safeguarding.conftest import office, other_area_coordinator  # noqa: F401  (office browsers)
from tests.sync.conftest import clients_by_name, margaret, phone  # noqa: F401  (the sync tests' phone and clients)
