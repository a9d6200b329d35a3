"""Writing a file whole or not at all: what every export a person or a partner picks up relies on.

A reader (a team lead's spreadsheet, a dialer polling a folder, the core banking system's import)
must never see half a file: each file is written beside its final name (`<name>.part`), flushed to
disk, then renamed over it (atomic on POSIX), and the folder is synced so the rename survives a
crash. A re-run replaces the file whole. `mode` creates the file with those permissions from the
first byte (0o600 for a file holding unmasked numbers), never readable by others even briefly.
Shared by the arrangement export (arrangements/export_files.py) and the call-queue and dialer
exports (calls/exports.py, calls/dialer.py).
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """`data` at `path` or the old file untouched: write `<path>.part`, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(part, flags, 0o666 if mode is None else mode)
    if mode is not None:
        os.fchmod(fd, mode)            # an older .part, or the umask, cannot widen it
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, path)
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
    except OSError:      # a platform without directory fds: the rename is still atomic
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
