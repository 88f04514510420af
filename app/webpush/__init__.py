"""Web Push: browsers' subscriptions, the server's VAPID keys, and sending one
message (pywebpush).

Not the sync push (``POST /api/sync/push``, app/sync): this is the browsers'
notification channel. Payloads never carry personal data: they pass through
Google's, Apple's or Mozilla's Web Push services. Visit reminders and alerts
(app/reminders) are sent through this.
"""
