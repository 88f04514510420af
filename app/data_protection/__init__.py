"""Data protection (issue 13): the map of the personal data every table
holds (``personal_data.py``), the subject access export of everything held
on one client or volunteer (``export.py``, ``views.py``) and the retention
command that anonymises clients whose case closed long ago (``retention.py``,
``cli.py``). docs/operations.md, "Subject access requests" and "Retention",
says how the office uses them.
"""
