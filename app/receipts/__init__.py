"""Receipts: photos (JPEG, PNG) and PDFs of receipts for expenses, uploaded
from phones and kept outside the database, named by the sha256 of their bytes.

An expense item names its receipt by that hash (``receipt_sha256``) and may
sync before the photo arrives. The file lives at
``RECEIPTS_DIR/<first two hex>/<sha256>`` (``storage.py``); the table
``receipts`` records who has uploaded which bytes, which decides who may read
them (``services.may_read``). API: ``PUT``/``GET``/``HEAD /api/receipts/<sha256>``
(``views.py``; docs/sync-protocol.md, "Receipts").
"""
