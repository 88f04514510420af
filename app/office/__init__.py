"""The office: server-rendered pages for coordinators and admins."""
