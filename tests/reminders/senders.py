"""Several senders of the reminders job started at the same moment."""
import threading

def at_once(make_session, send, count=4):
    """Run send(session) in ``count`` threads released together, each with its
    own database session; returns their results (and fails on any error)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def sender():
        session = make_session()
        try:
            barrier.wait()
            results.append(send(session))
        except Exception as err:  # noqa: BLE001  (reported below)
            errors.append(err)
        finally:
            session.close()

    threads = [threading.Thread(target=sender) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results
