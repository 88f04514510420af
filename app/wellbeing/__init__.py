"""Wellbeing: SWEMWBS scores of a client, taken by mentors in the field app
(kind "wellbeing", synced) or by coordinators in the office; the raw and
metric scores are worked out on the server (app/outcomes/rules.py)."""
