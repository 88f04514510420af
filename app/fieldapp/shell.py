"""The app shell: the files the service worker precaches, and their version.

The version is a hash of the shell's contents, so any change to a shell file
gives a new service worker and the phone is offered the update.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

# URL -> file under the project root. "/" is the page itself.
ICON_FILES = ("icon-192.png", "icon-512.png", "icon-maskable-512.png", "icon.svg")


def shell_files(static_dir: Path) -> dict[str, Path]:
    files = {"/": static_dir / "index.html", "/manifest.webmanifest": static_dir / "manifest.webmanifest"}
    for path in sorted((static_dir / "js").rglob("*.js")):
        files["/static/" + path.relative_to(static_dir).as_posix()] = path
    files["/static/app.css"] = static_dir / "app.css"
    for name in ICON_FILES:
        files[f"/static/icons/{name}"] = static_dir / "icons" / name
    return files


@dataclass(frozen=True)
class Shell:
    version: str
    urls: tuple[str, ...]
    total_bytes: int

    @classmethod
    def build(cls, static_dir: Path) -> Shell:
        digest = hashlib.sha256()
        total = 0
        files = shell_files(static_dir)
        for url, path in files.items():
            content = path.read_bytes()
            total += len(content)
            digest.update(url.encode() + b"\0" + content)
        return cls(digest.hexdigest()[:16], tuple(files), total)

    def service_worker_header(self) -> str:
        return f"const SHELL_VERSION = {json.dumps(self.version)};\nconst SHELL_FILES = {json.dumps(list(self.urls))};\n"
