"""The sync engine is a base layer: it imports no feature (docs/architecture.md)."""
import ast
from pathlib import Path

import app.sync

# What the engine may build on: the database, errors and input helpers, the
# users who make changes, and itself.
BELOW_THE_ENGINE = {"app", "app.db", "app.errors", "app.api_input", "app.accounts.models", "app.sync"}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "app" or name.startswith("app.")}


def test_the_sync_engine_imports_no_feature():
    folder = Path(app.sync.__file__).parent
    wrong = {f"{path.name}: {name}" for path in folder.glob("*.py") for name in imports_of(path)
             if name not in BELOW_THE_ENGINE and not name.startswith("app.sync.")}
    assert wrong == set()
