"""The outcomes dashboard for coordinators and funders (docs/domain.md, "The dashboard")."""
