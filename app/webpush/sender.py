"""Sending one Web Push message with pywebpush.

VAPID claims are built fresh for every send (pywebpush fills in ``aud`` and
``exp`` in the dict it is given), every send has a timeout and a real TTL, and
404/410 from the Web Push service mean the subscription is gone. Redirects
are never followed (a redirect to an internal address is how an outside
endpoint reaches inside), and anything but a 2xx is a failure whose only
detail kept is the status code.

A send never raises: whatever goes wrong with one subscription is its
result, so one bad subscription never fails a request (the test message) nor
stops a run of the reminders job before the others are sent. A subscription
that could never be sent to (stored before the checks at subscribe time were
this strict: an address with a port, a key that is not a P-256 point) is
refused here before any request and answered ``gone``, so it is forgotten;
the person turns notifications on again to make a good one. Such refusals,
and any unexpected error here, carry ``status`` 0 (never sent), not None:
None means the Web Push service did not answer, and a run stops trying that
service for a while (app/reminders/due.py), which a bad subscription must
not cause for the good ones on the same service.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from pywebpush import WebPushException, webpush
from requests import RequestException, Session

from app.webpush.endpoints import stored_problem
from app.webpush.keys import keys_problem

log = logging.getLogger(__name__)

GONE = (404, 410)
NEVER_SENT = 0  # ``status`` of a message that never left this server


@dataclass(frozen=True)
class SendResult:
    ok: bool
    gone: bool = False
    detail: str = ""
    # The Web Push service's answer; None when there was none (timeout,
    # connection refused); NEVER_SENT (0) when no request was made.
    status: int | None = None
    retry_after: int | None = None  # seconds, from a Retry-After header in seconds

    @property
    def retryable(self) -> bool:
        """Worth trying again later: no answer, too many requests, or a server error."""
        return not self.ok and not self.gone and (self.status is None or self.status == 429 or self.status >= 500)

    @property
    def unreachable(self) -> bool:
        """The Web Push service did not answer (not: this server never asked it)."""
        return not self.ok and self.status is None


class _NoRedirects(Session):
    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def subscription_problem(subscription) -> str | None:
    """Why ``subscription`` (PushSubscription.toJSON()) can never be sent to, or None."""
    if not isinstance(subscription, dict) or not isinstance(subscription.get("endpoint"), str):
        return "no address"
    problem = stored_problem(subscription["endpoint"])
    if problem:
        return f"address: {problem}"
    return keys_problem(subscription.get("keys"))


def send(subscription: dict, payload: dict, *, vapid_key, subject: str, ttl: int, timeout: float = 10.0) -> SendResult:
    """Send one message to one subscription; never raises (see the module's note)."""
    try:
        problem = subscription_problem(subscription)
        if problem:
            # Stored before the checks were this strict: never sent to, and forgotten.
            return SendResult(False, gone=True, detail=f"Not a usable Web Push subscription ({problem})",
                              status=NEVER_SENT)
        return _send(subscription, payload, vapid_key=vapid_key, subject=subject, ttl=ttl, timeout=timeout)
    except Exception as err:  # noqa: BLE001  (one subscription's trouble is its own result)
        # Not the message: the exception may name the address, which is a secret of the browser's.
        log.error("Web Push send failed before an answer: %s", type(err).__name__)
        return SendResult(False, detail=f"Could not send: {type(err).__name__}", status=NEVER_SENT)


def _send(subscription: dict, payload: dict, *, vapid_key, subject: str, ttl: int, timeout: float) -> SendResult:
    session = _NoRedirects()
    try:
        response = webpush(
            subscription_info=subscription,
            data=json.dumps(payload),
            vapid_private_key=vapid_key,
            vapid_claims={"sub": subject},
            ttl=ttl,
            timeout=timeout,
            requests_session=session,
        )
    except WebPushException as err:
        if err.response is None:  # refused by pywebpush itself, before any request
            return SendResult(False, detail="Could not send: WebPushException", status=NEVER_SENT)
        status = err.response.status_code
        retry_after = err.response.headers.get("Retry-After", "")
        return SendResult(False, gone=status in GONE, detail=f"Web Push service answered {status}", status=status,
                          retry_after=int(retry_after) if retry_after.strip().isdigit() else None)
    except RequestException as err:
        # A timeout too: the message may or may not have arrived, it is not counted as sent.
        return SendResult(False, detail=f"Web Push service unreachable: {type(err).__name__}")
    finally:
        session.close()
    if not 200 <= response.status_code < 300:  # a redirect, not followed
        return SendResult(False, detail=f"Web Push service answered {response.status_code}", status=response.status_code)
    return SendResult(True, detail=f"Web Push service answered {response.status_code}", status=response.status_code)
