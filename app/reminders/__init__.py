"""Web Push: phones' subscriptions, the server's VAPID keys, and sending.

Payloads never carry personal data: they pass through Google's, Apple's or
Mozilla's push services. Reminders of upcoming visits build on this.
"""
