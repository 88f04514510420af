"""The field app's ES modules import each other without a cycle, and only the
entry module (the one index.html loads) boots the app.

A cycle works in a browser only by the order modules happen to be evaluated
in; screens that import the module which imports them get half-made bindings
as soon as someone changes what imports what. No browser needed: the import
statements are read as text.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from app import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
ENTRY = "/static/js/main.js"
GENERATED = {"/static/js/contract.js"}  # made by the server (app/fieldapp/shell.py)

# import x from '...'; import { a, b } from '...'; import '...'; export { a } from '...'; import('...')
IMPORT = re.compile(r"""(?:^|[;\s])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]"""
                    r"""|(?:^|[;\s])import\s*['"]([^'"]+)['"]"""
                    r"""|\bimport\(\s*['"]([^'"]+)['"]\s*\)""", re.M)
COMMENT = re.compile(r"^\s*//.*$", re.M)


def imports_of(url: str, code: str) -> set[str]:
    found = set()
    for match in IMPORT.finditer(COMMENT.sub("", code)):
        spec = next(group for group in match.groups() if group)
        target = spec if spec.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(url), spec))
        found.add(target)
    return found


def module_graph(static: Path) -> dict[str, set[str]]:
    """URL of each module under static/js -> URLs it imports."""
    graph = {}
    for path in sorted((static / "js").rglob("*.js")):
        url = "/static/" + path.relative_to(static).as_posix()
        graph[url] = imports_of(url, path.read_text())
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def boots(code: str) -> bool:
    """Whether a module calls boot() (at any level; defining it is fine)."""
    return bool(re.search(r"(?<![\w.])boot\s*\(\s*\)\s*;", COMMENT.sub("", code).replace("function boot()", "")))


def test_the_import_reader_sees_every_form_of_import():
    code = """import { a } from './a.js';
import * as b from '../b.js';
import {
  c,
} from './screens/c.js';
import './d.js';
export { e } from './e.js';
// import { nothing } from './commented.js';
const f = await import('/static/js/f.js');
"""
    assert imports_of("/static/js/x/y.js", code) == {
        "/static/js/x/a.js", "/static/js/b.js", "/static/js/x/screens/c.js", "/static/js/x/d.js",
        "/static/js/x/e.js", "/static/js/f.js"}


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_browser_modules_have_no_import_cycle():
    graph = module_graph(STATIC)
    assert graph["/static/js/routes.js"], "the reader found no imports: is the pattern out of date?"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_every_import_names_a_shell_module():
    graph = module_graph(STATIC)
    for url, targets in graph.items():
        for target in targets:
            assert target in graph or target in GENERATED, f"{url} imports {target}, which is not in static/js"


def test_the_service_worker_imports_no_page_module():
    """The worker runs without a document: it may reach sync.js and what
    sync.js needs, never a screen or the page's status bar."""
    graph = module_graph(STATIC)
    worker = imports_of("/sw.js", (PROJECT_ROOT / "service_worker" / "sw.js").read_text())
    reached, todo = set(), list(worker)
    while todo:
        url = todo.pop()
        if url not in reached:
            reached.add(url)
            todo.extend(graph.get(url, ()))
    assert "/static/js/sync.js" in reached
    assert not {url for url in reached if "/screens/" in url or url in ("/static/js/app.js", "/static/js/routes.js", ENTRY)}


def test_only_the_entry_module_boots_and_nothing_imports_it():
    html = (STATIC / "index.html").read_text()
    assert re.findall(r'<script type="module" src="([^"]+)"', html) == [ENTRY]
    graph = module_graph(STATIC)
    assert not [url for url, targets in graph.items() if ENTRY in targets]
    booting = [url for url in graph if boots((STATIC / url.removeprefix("/static/")).read_text())]
    assert booting == [ENTRY]


def test_screens_import_no_router_and_no_entry():
    """Screens reach sync and redraw through app.js and ui.js, which import no screen."""
    graph = module_graph(STATIC)
    for url in ("/static/js/app.js", "/static/js/ui.js"):
        assert not {t for t in graph[url] if "/screens/" in t and not t.endswith("/labels.js")}, url
    for url, targets in graph.items():
        if "/screens/" in url:
            assert not targets & {"/static/js/routes.js", ENTRY}, url
