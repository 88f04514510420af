"""The OpenAPI description of the JSON API, served at /api/openapi.json."""
