"""Office pages for mentor pairs: list, make, change members, end, restart (/office/pairs/)."""
