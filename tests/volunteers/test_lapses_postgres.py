"""The compliance gate's sweep on PostgreSQL, where writers really run at once
(SQLite runs one writer at a time). CI always has PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.volunteers.lapses import PairBlock, sweep
from tests.volunteers.test_lapses import DAY, ben_dbs_until, events, pair  # noqa: F401  (fixture)


@pytest.fixture
def database_url(pg_database_url):
    """Overrides the two-backend fixture: PostgreSQL only."""
    return pg_database_url


def test_two_sweeps_at_once_block_once(app, session, ben_dbs_until, database_url):
    """Two sweeps racing (two machines, or a slow round overlapping the next): the counter's lock queues them."""
    import threading

    session.commit()
    make = app.extensions["database"]["sessionmaker"]
    barrier, results, errors = threading.Barrier(2), [], []

    def one_sweep():
        s = make()
        try:
            barrier.wait(timeout=10)
            results.append(sweep(s, DAY + timedelta(days=1)))
            s.commit()
        except Exception as err:  # reported below
            errors.append(err)
        finally:
            s.close()

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(r["blocked"] for r in results) == [0, 1]
    session.rollback()
    assert len(events(session, pair(session, "North").id)) == 2
    assert len(session.scalars(select(PairBlock)).all()) == 1
