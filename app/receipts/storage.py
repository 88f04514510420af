"""Receipt files on disk, named by the sha256 of their bytes.

``<root>/<first two hex>/<sha256>``: the two-character folders keep any one
folder small. A file is written to a temporary file in its own folder, flushed
to disk, then renamed over its name, so a reader never sees half a file, a
crash leaves at most a stray ``.tmp`` file, and two writers of the same bytes
at once both succeed and leave one file (the rename is atomic, and both have
the same content). Files are never changed once written.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def path_for(root: str | os.PathLike, sha256: str) -> Path:
    """Where the file of ``sha256`` lives (``sha256`` must already be checked)."""
    return Path(root) / sha256[:2] / sha256


def has(root: str | os.PathLike, sha256: str) -> bool:
    return path_for(root, sha256).is_file()


def save(root: str | os.PathLike, sha256: str, data: bytes) -> bool:
    """Store ``data`` as ``sha256``; False (and nothing written) if it is already there."""
    target = path_for(root, sha256)
    if target.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{sha256}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(target.parent)
    return True


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
