"""The keys a browser gives with its Web Push subscription (RFC 8291), checked
in full: the server encrypts every message to them, and a key that is not
what it says would fail only then, at send time.

``p256dh`` is the browser's ECDH public key: an uncompressed P-256 point
(65 bytes, 0x04 first) that lies on the curve; ``auth`` is the 16-byte
secret. Both come base64url-encoded, with or without padding.
"""
from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric import ec

P256DH_MESSAGE = ("This is not a browser's Web Push public key (p256dh): it must be an uncompressed P-256 point, "
                  "65 bytes starting 0x04, in base64url. Turn notifications off and on again to make a new one.")
AUTH_MESSAGE = ("This is not a browser's Web Push secret (auth): it must be 16 bytes in base64url. "
                "Turn notifications off and on again to make a new one.")

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def _decode(text) -> bytes | None:
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def p256dh_problem(text) -> str | None:
    """None if ``text`` is a usable browser public key; otherwise why not."""
    raw = _decode(text)
    if raw is None:
        return "not base64url"
    if len(raw) != 65 or raw[0] != 0x04:
        return "not an uncompressed point (65 bytes, 0x04 first)"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "not a point on the P-256 curve"
    return None


def auth_problem(text) -> str | None:
    raw = _decode(text)
    if raw is None:
        return "not base64url"
    if len(raw) != 16:
        return "not 16 bytes"
    return None


def keys_problem(keys) -> str | None:
    """Why a subscription's ``keys`` cannot be encrypted to, or None."""
    if not isinstance(keys, dict):
        return "no keys"
    problem = p256dh_problem(keys.get("p256dh"))
    if problem:
        return f"p256dh: {problem}"
    problem = auth_problem(keys.get("auth"))
    return f"auth: {problem}" if problem else None
