"""The audit log: who saw or changed which personal data, when, from where.

Append-only (the database refuses UPDATE and DELETE on it), and written by one
mechanism (``hooks.py``) for every office request, whatever its blueprint: an
office page cannot leave it out. Entries name records by kind and id, never
by their content, so the log holds no personal data beyond who did what.
"""
