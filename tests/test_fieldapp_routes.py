"""The server side of the field app: shell page, manifest, service worker."""
import json
import os

import pytest

from app.fieldapp.shell import CONTRACT_URL, Shell
from app.fieldapp.views import current_shell
from app.sync.contract import phone_contract


def served_shell(app) -> Shell:
    with app.test_request_context():
        return current_shell()


def test_app_shell_page(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'type="module" src="/static/js/main.js"' in html
    assert "style=" not in html and "onclick" not in html  # nothing the CSP would block


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/?source=installed"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert ("512x512", "maskable") in sizes and ("192x192", "any") in sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_at_the_root_with_its_shell_list(app, client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    shell = served_shell(app)
    assert CONTRACT_URL in shell.urls
    assert f'const SHELL_VERSION = "{shell.version}";' in body
    for url in shell.urls:
        assert client.get(url).status_code == 200, url
    assert not any(url.startswith("/api/") for url in shell.urls)


def test_shell_version_changes_when_a_shell_file_changes(tmp_path, app):
    import shutil

    copy = tmp_path / "static"
    shutil.copytree(app.config["STATIC_DIR"], copy)
    before = Shell.build(copy).version
    (copy / "app.css").write_text((copy / "app.css").read_text() + "\n")
    assert Shell.build(copy).version != before


def test_shell_is_small(app):
    """What a phone loads to start stays under 100 KB; screens loaded when
    first opened (expenses) are precached too, and all of it stays small."""
    shell = served_shell(app)
    assert shell.total_bytes == sum(len(content) for content in shell.contents.values())
    assert shell.startup_bytes < 100 * 1024
    assert shell.total_bytes < 120 * 1024


def test_startup_follows_static_imports_only():
    from app.fieldapp.shell import startup_urls

    contents = {
        "/": b"<html>",
        "/static/js/main.js": b"import{boot}from'./app.js';\nimport './screens/a.js';",
        "/static/js/app.js": b"export{x}from'./lib/x.js';const later=()=>import('./screens/b.js');",
        "/static/js/lib/x.js": b"import{y}from'../screens/a.js';",
        "/static/js/screens/a.js": b"export const a = 1;",
        "/static/js/screens/b.js": b"export const b = 1;",
    }
    assert startup_urls(contents) == set(contents) - {"/static/js/screens/b.js"}


def test_the_contract_is_a_shell_module_made_from_the_registered_kinds(app, client):
    import re

    response = client.get(CONTRACT_URL)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    with app.app_context():
        contract = phone_contract()
    served = json.loads(re.search(r"^export const CONTRACT = freeze\((.*)\);$", body, re.M).group(1))
    assert served == contract
    assert list(served["kinds"]) == list(contract["kinds"])  # registration order kept
    for name in ("CONTRACT", "SCHEMA_VERSION", "DELETED_FIELD", "KINDS"):
        assert f"export const {name} = " in body
    assert "export const maxLength = " in body and "export const choices = " in body
    assert client.get(CONTRACT_URL, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_shell_version_changes_when_the_contract_changes(app):
    import copy

    with app.app_context():
        contract = phone_contract()
    changed = copy.deepcopy(contract)
    changed["kinds"]["visit"]["limits"]["status"]["choices"].append("postponed")
    static = app.config["STATIC_DIR"]
    assert Shell.build(static, contract).version == Shell.build(static, copy.deepcopy(contract)).version
    assert Shell.build(static, changed).version != Shell.build(static, contract).version
    assert served_shell(app).version == Shell.build(static, contract).version


def test_no_javascript_copies_what_the_contract_says(app):
    """The kinds, schema version, tombstone field and text limits come from
    contract.js; a hand copy in static/js would drift from the server."""
    from pathlib import Path

    static = Path(app.config["STATIC_DIR"])
    for path in (static / "js").rglob("*.js"):
        code = path.read_text()
        assert "'_deleted'" not in code and "schema_version: 1" not in code, path
        assert "maxLength: 20000" not in code and "maxLength: 300" not in code, path
        assert "['planned'" not in code and "['client', 'visit'" not in code, path


def test_every_module_is_preloaded(app, client):
    """index.html lists each ES module the app starts with for modulepreload,
    so none is fetched late."""
    from pathlib import Path

    from app.fieldapp.shell import startup_urls

    static = Path(app.config["STATIC_DIR"])
    modules = {"/static/" + p.relative_to(static).as_posix() for p in (static / "js").rglob("*.js")}
    html = client.get("/").get_data(as_text=True)
    preloaded = {line.split('href="')[1].split('"')[0] for line in html.splitlines() if 'rel="modulepreload"' in line}
    # By import() when first needed: the expenses and wellbeing screens, and a revoked phone's wipe.
    loaded_later = {"/static/js/screens/expenses.js", "/static/js/screens/wellbeing.js", "/static/js/revoked.js"}
    assert preloaded == (modules | {CONTRACT_URL}) - {"/static/js/main.js"} - loaded_later
    assert loaded_later.isdisjoint(startup_urls(served_shell(app).contents))


def test_favicon_is_an_image_that_may_be_cached(app, client):
    from pathlib import Path

    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    assert response.get_data() == (Path(app.config["STATIC_DIR"]) / "icons" / "icon-192.png").read_bytes()
    assert response.cache_control.max_age >= 24 * 3600 and response.cache_control.public


def test_code_is_served_trimmed_with_every_line_where_it_was(app, client):
    from pathlib import Path

    static = Path(app.config["STATIC_DIR"])
    source = (static / "js" / "store.js").read_text()
    served = client.get("/static/js/store.js").get_data(as_text=True)
    assert served.count("\n") == source.count("\n")  # stack traces point at the source's lines
    assert len(served) < len(source) * 0.9
    assert "\n  " not in served and "\n// " not in served
    for source_line, served_line in zip(source.splitlines(), served.splitlines()):
        # The same line without comments and without the spaces beside punctuation.
        code = source_line.strip().split(" // ")[0].split(" /* ")[0]
        assert served_line == "" or served_line.replace(" ", "") == code.replace(" ", ""), source_line


def test_a_file_with_a_multi_line_template_literal_is_served_as_it_is(tmp_path):
    from app.fieldapp.shell import trimmed

    code = b"const a = `first\n  // not a comment, text\n  last`;\n  const b = 1;\n"
    assert trimmed(tmp_path / "x.js", code) == code
    assert trimmed(tmp_path / "y.js", b"  // why\n  const b = 1;\n") == b"\nconst b=1;\n"
    assert trimmed(tmp_path / "z.css", b"/* note */\n  a { color: red; }\n") == b"\na{color:red}\n"
    assert trimmed(tmp_path / "i.png", b"  // bytes") == b"  // bytes"


def test_an_edited_shell_file_is_served_at_the_next_request(tmp_path, app):
    import shutil

    from app import create_app

    copy = tmp_path / "static"
    shutil.copytree(app.config["STATIC_DIR"], copy)
    edited = create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40,
                         "INSTANCE_PATH": tmp_path / "i", "STATIC_DIR": copy})
    web = edited.test_client()
    before = web.get("/sw.js").get_data(as_text=True)
    (copy / "js" / "routes.js").write_text((copy / "js" / "routes.js").read_text() + "export const edited = 1;\n")
    import os
    os.utime(copy / "js" / "routes.js", ns=(1, 2_000_000_000_000_000_000))
    assert "export const edited=1;" in web.get("/static/js/routes.js").get_data(as_text=True)
    assert web.get("/sw.js").get_data(as_text=True) != before


def test_compacting_keeps_strings_templates_and_regular_expressions_as_they_are(tmp_path):
    from app.fieldapp.shell import trimmed

    code = (b"  if (a === b) { x = 'a  //  b' + `t ${ c ? 'd' : `e ${ f }` }  end`; } // note\n"
            b"  const r = /a  b\\/ [/ ]/g.test(s) / 2; return /x y/; /* gone */ y = a - -b + +c;\n")
    assert trimmed(tmp_path / "a.js", code) == (
        b"if(a===b){x='a  //  b'+`t ${c?'d':`e ${f}`}  end`;}\n"
        b"const r=/a  b\\/ [/ ]/g.test(s)/2;return/x y/;y=a- -b+ +c;\n")


def test_every_served_module_is_valid_javascript(app, client, tmp_path):
    """The compacted code still parses (node --check, where node is installed)."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        # The served code is compacted by our own code (app/fieldapp/shell.py): CI must check it parses.
        if os.environ.get("CI"):
            pytest.fail("node is not installed: CI must check that the served modules parse")
        pytest.skip("node is not installed (CI installs it)")
    shell = served_shell(app)
    for url in shell.urls:
        if url.endswith(".js"):
            path = tmp_path / (url.strip("/").replace("/", "_")[:-3] + ".mjs")
            path.write_bytes(shell.contents[url])
            result = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
            assert result.returncode == 0, (url, result.stderr)
