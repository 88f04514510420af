"""Offline sync: push/pull of phone-held records (docs/sync-protocol.md)."""
