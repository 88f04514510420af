"""What mentors record in the field: visits, GROW goals, progress, SARA problems,
safeguarding concerns. Each record hangs off a client, which decides its scope."""
