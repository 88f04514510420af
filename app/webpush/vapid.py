"""The server's VAPID key pair (RFC 8292), which Web Push services check.

Production reads the private key (PEM) from VAPID_PRIVATE_KEY; development
makes one once into instance/vapid_private.pem.
"""
from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import Flask
from py_vapid import Vapid


def _load_or_create(app: Flask) -> Vapid:
    pem = app.config.get("VAPID_PRIVATE_KEY")
    if pem:
        return Vapid.from_pem(pem.encode() if isinstance(pem, str) else pem)
    key_file = Path(app.instance_path) / "vapid_private.pem"
    if not key_file.exists():
        vapid = Vapid()
        vapid.generate_keys()
        key_file.write_bytes(vapid.private_pem())
        key_file.chmod(0o600)
    return Vapid.from_pem(key_file.read_bytes())


def init_app(app: Flask) -> None:
    vapid = _load_or_create(app)
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    app.extensions["vapid"] = {
        "key": vapid,
        # What browsers take as applicationServerKey.
        "public_key": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
    }
