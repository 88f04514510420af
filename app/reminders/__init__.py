"""Visit reminders and alerts: the evening-before and "soon" reminders, the
overdue check-out alerts, urgent safeguarding concerns to the coordinators,
and each person's reminder settings.

They are sent as Web Push messages through app/webpush. Payloads never carry
personal data: they pass through Google's, Apple's or Mozilla's Web Push
services.
"""
