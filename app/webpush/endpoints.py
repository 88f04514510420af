"""Which addresses the server will send Web Push messages to (a server-side
request to an address a browser gave us: guard it against SSRF).

An endpoint is read with the same parser the HTTP client that sends uses
(urllib3's, under requests), and with the standard library's; both must
agree on the host, and anything that parsers read differently is refused
outright: user-info (``user@host``), backslashes, control characters and
spaces, and explicit ports (real Web Push services use the default port;
a development or test service on an allowed plain-HTTP host may name one).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from urllib3.util import parse_url
from urllib3.exceptions import LocationParseError

NOT_A_SERVICE = "This is not the address of a known push service."


def structural_problem(url: str) -> str | None:
    """What makes ``url`` ambiguous to parsers, whatever the allowed hosts."""
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "spaces, control characters or backslashes"
    try:
        ours, theirs = urlsplit(url), parse_url(url)
    except (ValueError, LocationParseError):
        return "an address that cannot be read"
    if "@" in ours.netloc or theirs.auth:
        return "a user name in the address"
    if (ours.hostname or "").lower() != (theirs.host or "").lower().strip("[]"):
        return "a host that parsers read differently"
    return None


def stored_problem(url: str) -> str | None:
    """What rules out sending to ``url``, a subscription stored earlier, without
    the configuration at hand: a structural problem, a scheme that is not
    http(s), or an explicit port on https (no real Web Push service names one;
    the plain-HTTP test services that may were allowed only by configuration)."""
    problem = structural_problem(url)
    if problem:
        return problem
    try:
        parts = parse_url(url)
        port = parts.port
    except (ValueError, LocationParseError):
        return "an address that cannot be read"
    if parts.scheme not in ("https", "http") or not parts.host:
        return "not https"
    if parts.scheme == "https" and port is not None:
        return "an explicit port"
    return None


def endpoint_problem(url: str, service_hosts, http_hosts=()) -> str | None:
    """None if the server may send to ``url``; otherwise why not (for logs and tests)."""
    problem = structural_problem(url)
    if problem:
        return problem
    parts = parse_url(url)
    host = (parts.host or "").lower()
    plain_http_allowed = host in http_hosts
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_http_allowed):
        return "not https"
    if parts.port is not None and not plain_http_allowed:
        return "an explicit port"
    if not any(host == suffix or host.endswith("." + suffix) for suffix in service_hosts):
        return "not a known Web Push service"
    return None
