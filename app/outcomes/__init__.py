"""Outcomes the scheme evidences to its funders: the demand ledger, wellbeing
(SWEMWBS), and the figures worked out from them (docs/domain.md, "Outcomes")."""
