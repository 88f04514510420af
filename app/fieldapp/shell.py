"""The app shell: the files the service worker precaches, and their version.

The version is a hash of the shell's contents, so any change to a shell file
gives a new service worker and the phone is offered the update.

Code files are served trimmed: indentation and whole-line comments go, which
is about a sixth of their size on a phone that stores them. Every line stays
where it was, so a stack trace points at the right line of the source, and
there is still no build step: edit a file and reload.

One shell file is made by the server, not read from disk: /static/js/contract.js,
the sync contract (app/sync/contract.py) as an ES module. It is hashed with the
rest, so a change of contract is a new shell version like any other.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

# URL -> file under the project root. "/" is the page itself.
# Only the icons the app itself shows offline (the page's icon, notifications);
# the large install icons are fetched by the browser when it installs the app.
ICON_FILES = ("icon-192.png", "icon.svg")


def shell_files(static_dir: Path) -> dict[str, Path]:
    files = {"/": static_dir / "index.html", "/manifest.webmanifest": static_dir / "manifest.webmanifest"}
    for path in sorted((static_dir / "js").rglob("*.js")):
        files["/static/" + path.relative_to(static_dir).as_posix()] = path
    files["/static/app.css"] = static_dir / "app.css"
    for name in ICON_FILES:
        files[f"/static/icons/{name}"] = static_dir / "icons" / name
    return files


CONTRACT_URL = "/static/js/contract.js"


def contract_module(contract: dict) -> bytes:
    """The phone's copy of the sync contract (app.sync.contract.phone_contract()),
    deeply frozen, with a few look-ups. Kinds keep the server's order."""
    data = json.dumps(contract, separators=(",", ":"))
    return (
        "// The sync contract, made by the server from the kinds it registers\n"
        "// (app/sync/contract.py, served by app/fieldapp). Not a file: never edit a copy.\n"
        "const freeze = (v) => { if (v && typeof v === 'object') { Object.values(v).forEach(freeze); Object.freeze(v); } return v; };\n"
        f"export const CONTRACT = freeze({data});\n"
        "export const SCHEMA_VERSION = CONTRACT.schema_version;\n"
        "export const DELETED_FIELD = CONTRACT.deleted_field;\n"
        "export const KINDS = Object.freeze(Object.keys(CONTRACT.kinds));\n"
        "// {max_length} | {choices} | {min, max} of a kind's field, or {}.\n"
        "export const limits = (kind, field) => (CONTRACT.kinds[kind] && CONTRACT.kinds[kind].limits[field]) || {};\n"
        "export const maxLength = (kind, field) => limits(kind, field).max_length ?? null;\n"
        "export const choices = (kind, field) => limits(kind, field).choices || [];\n"
    ).encode()


def trimmed(path: Path, content: bytes) -> bytes:
    """A JS or CSS file without indentation, comments, and the spaces that
    only sit beside punctuation (``if (a === b) {`` becomes ``if(a===b){``).

    Each line is read as JavaScript tokens (strings, template literals, regular
    expressions and comments are copied or dropped whole, never changed inside);
    a line the reader is not sure of is kept as it was, only without its
    indentation. A line inside a multi-line template literal may be text that
    matters, so a file with any line holding an odd number of backticks is
    left as it is.
    """
    if path.suffix not in (".js", ".css"):
        return content
    lines = content.decode().split("\n")
    if path.suffix == ".js" and any(line.count("`") % 2 for line in lines):
        return content
    out = []
    for line in lines:
        line = line.strip()
        if path.suffix == ".js":
            line = "" if line.startswith("//") else compact_js_line(line)
        elif line.startswith("/*") and line.endswith("*/"):
            line = ""
        else:
            line = compact_css_line(line)
        out.append(line)
    return "\n".join(out).encode()


_WORD = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]")
# After these words a "/" starts a regular expression, not a division.
_BEFORE_REGEX = {"return", "typeof", "case", "do", "else", "in", "of", "instanceof", "new", "delete", "void",
                 "throw", "yield", "await"}


def _keep_space(before: str, after: str) -> bool:
    if _WORD.match(before) and _WORD.match(after):
        return True  # "const x", "return a"
    return before + after in ("++", "--", "+-", "-+", "//", "/*", "*/") or (before == "?" and after == ".")


class _Unsure(Exception):
    pass


def _copy_quoted(line: str, i: int, quote: str) -> int:
    """Index just after the string (or regex) starting at line[i]."""
    j = i + 1
    in_class = False
    while j < len(line):
        c = line[j]
        if c == "\\":
            j += 2
            continue
        if quote == "/" and c == "[":
            in_class = True
        elif quote == "/" and c == "]":
            in_class = False
        elif c == quote and not in_class:
            return j + 1
        j += 1
    raise _Unsure


def compact_js_line(line: str) -> str:
    try:
        return _compact_js(line)
    except _Unsure:
        return line


def _compact_js(line: str) -> str:
    out: list[str] = []
    braces: list[str] = []  # "{" of code, or "${" of a template literal
    space = False
    i, n = 0, len(line)

    def template(i: int) -> int:
        """Copy template text from line[i] (just inside a backtick or after a
        "}" closing a ${...}); return where code resumes."""
        while i < n:
            c = line[i]
            if c == "\\":
                out.append(line[i:i + 2])
                i += 2
            elif c == "`":
                out.append(c)
                return i + 1
            elif line.startswith("${", i):
                out.append("${")
                braces.append("${")
                return i + 2
            else:
                out.append(c)
                i += 1
        raise _Unsure

    while i < n:
        c = line[i]
        if c in " \t":
            space = True
            i += 1
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            end = line.find("*/", i + 2)
            if end == -1:
                raise _Unsure
            i = end + 2
            space = True
            continue
        prev = out[-1][-1] if out else ""
        if space and prev and _keep_space(prev, c):
            out.append(" ")
        space = False
        if c in "'\"":
            j = _copy_quoted(line, i, c)
            out.append(line[i:j])
            i = j
        elif c == "`":
            out.append(c)
            i = template(i + 1)
        elif c == "{":
            braces.append("{")
            out.append(c)
            i += 1
        elif c == "}":
            if not braces:
                out.append(c)
                i += 1
            elif braces.pop() == "${":
                out.append(c)
                i = template(i + 1)
            else:
                out.append(c)
                i += 1
        elif c == "/":
            text = "".join(out).rstrip()
            word = re.search(r"[A-Za-z0-9_$]+$", text)
            division = bool(text) and (text[-1] in ")]" or (word is not None and word.group(0) not in _BEFORE_REGEX))
            if division:
                out.append(c)
                i += 1
            else:
                j = _copy_quoted(line, i, "/")
                while j < n and line[j].isalpha():
                    j += 1
                out.append(line[i:j])
                i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def compact_css_line(line: str) -> str:
    if "/*" in line or '"' in line or "'" in line:
        return line
    line = re.sub(r"\s*([{};,>])\s*", r"\1", line)
    line = re.sub(r":\s+", ":", line)
    return line.replace(";}", "}")


ENTRY_URL = "/static/js/main.js"
# Static imports only: `import(...)` loads a module when a screen first needs it.
STATIC_IMPORT = re.compile(r"""(?:^|[;\s}])(?:import|export)\b\s*(?:[^'"`;()]*?\bfrom\s*)?['"]([^'"]+)['"]""", re.M)


def startup_urls(contents: dict) -> set[str]:
    """What a phone loads to start the app: everything but the code reached
    only by a dynamic import (still precached, so it works offline)."""
    code = {url for url in contents if url.endswith(".js")}
    seen, todo = set(), [ENTRY_URL] if ENTRY_URL in contents else []
    while todo:
        url = todo.pop()
        if url in seen or url not in contents:
            continue
        seen.add(url)
        base = url.rsplit("/", 1)[0]
        for target in STATIC_IMPORT.findall(contents[url].decode()):
            parts = f"{base}/{target}".split("/")
            resolved = []
            for part in parts:
                if part == "..":
                    resolved.pop()
                elif part != ".":
                    resolved.append(part)
            todo.append("/".join(resolved))
    return (set(contents) - code) | seen


@dataclass(frozen=True)
class Shell:
    version: str
    urls: tuple[str, ...]
    total_bytes: int
    contents: dict  # URL -> the bytes served for it

    @property
    def startup_bytes(self) -> int:
        """Bytes a phone loads to start the app (see startup_urls)."""
        return sum(len(self.contents[url]) for url in startup_urls(self.contents))

    @classmethod
    def build(cls, static_dir: Path, contract: dict | None = None) -> Shell:
        """contract: phone_contract(), served as CONTRACT_URL (left out if None)."""
        digest = hashlib.sha256()
        contents = {}
        for url, path in shell_files(static_dir).items():
            contents[url] = trimmed(path, path.read_bytes())
        if contract is not None:
            contents[CONTRACT_URL] = contract_module(contract)
        for url in contents:
            digest.update(url.encode() + b"\0" + contents[url])
        return cls(digest.hexdigest()[:16], tuple(contents), sum(map(len, contents.values())), contents)

    def service_worker_header(self) -> str:
        return f"const SHELL_VERSION = {json.dumps(self.version)};\nconst SHELL_FILES = {json.dumps(list(self.urls))};\n"
