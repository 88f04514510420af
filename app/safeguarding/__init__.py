"""The safeguarding queue: the office's side of concerns raised in the field.

Concerns themselves are synced records (app/fieldwork/models.py, write-once
from phones). This package owns what the office does with them: the queue,
acknowledgement, and the append-only history of actions and the outcome.
"""
