"""Sending one Web Push message with pywebpush.

VAPID claims are built fresh for every send (pywebpush fills in ``aud`` and
``exp`` in the dict it is given), every send has a timeout and a real TTL, and
404/410 from the Web Push service mean the subscription is gone. Redirects
are never followed (a redirect to an internal address is how an outside
endpoint reaches inside), and anything but a 2xx is a failure whose only
detail kept is the status code.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from pywebpush import WebPushException, webpush
from requests import RequestException, Session

from app.webpush.endpoints import structural_problem

GONE = (404, 410)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    gone: bool = False
    detail: str = ""
    status: int | None = None  # the Web Push service's answer; None when there was none (timeout, refused)
    retry_after: int | None = None  # seconds, from a Retry-After header in seconds

    @property
    def retryable(self) -> bool:
        """Worth trying again later: no answer, too many requests, or a server error."""
        return not self.ok and not self.gone and (self.status is None or self.status == 429 or self.status >= 500)


class _NoRedirects(Session):
    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def send(subscription: dict, payload: dict, *, vapid_key, subject: str, ttl: int, timeout: float = 10.0) -> SendResult:
    if structural_problem(subscription.get("endpoint", "")):
        # Stored before the address check was this strict: never sent to, and forgotten.
        return SendResult(False, gone=True, detail="Not a Web Push address")
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
        status = err.response.status_code if err.response is not None else None
        retry_after = err.response.headers.get("Retry-After", "") if err.response is not None else ""
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
