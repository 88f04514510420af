"""Referrals in the office: recording an emailed referral, the eligibility
checklist, the coordinator's decision (kept as a history) and the list."""
