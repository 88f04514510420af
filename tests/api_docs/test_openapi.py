"""The OpenAPI description (GET /api/openapi.json) covers every /api/ route, and only real ones."""
from app.api_docs.spec import openapi_path

IGNORED_METHODS = {"OPTIONS", "HEAD"}  # Flask answers them for every GET route


def api_operations(app) -> set[tuple[str, str]]:
    return {(openapi_path(rule.rule), method.lower())
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
            for method in rule.methods - IGNORED_METHODS}


def described_operations(spec) -> set[tuple[str, str]]:
    return {(path, method) for path, item in spec["paths"].items()
            for method in item if method in {"get", "put", "post", "delete", "patch", "head"}}


def test_the_description_is_served_without_signing_in(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.") and spec["paths"]


def test_every_api_route_is_described(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    missing = api_operations(app) - described_operations(spec)
    assert missing == set(), f"describe these in app/api_docs/spec.py: {sorted(missing)}"


def test_only_real_routes_are_described(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    real = api_operations(app) | {(path, "head") for path, method in api_operations(app) if method == "get"}
    assert described_operations(spec) - real == set()


def test_the_description_is_valid_openapi(app):
    import schemathesis

    spec = app.test_client().get("/api/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(spec)
    schema.validate()  # raises on a description that is not OpenAPI 3
    assert len(list(schema.get_all_operations())) == len(described_operations(spec))
