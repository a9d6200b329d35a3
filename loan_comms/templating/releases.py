"""Published template releases: what the daily run reads, and who wrote and approved each wording.

The template studio (loan_comms/studio/) keeps drafts and reviews in its own database; approving a
draft publishes a **release**, a complete copy of the library in the usual file layout, which is
never changed afterwards:

    <studio dir>/CURRENT                      the name of the published release, e.g. 0003-6f1c2a9b0d4e
    <studio dir>/releases/0003-6f1c2a9b0d4e/  sms/en/dpd_1.txt.j2 ... and manifest.json

`manifest.json` names, for every template, its version (the same content hash the store computes),
its author and reviewer and when it was approved; a wording that came from the repository's own
files says `source: repository` (its history is git's). A release is written beside its final
name and renamed into place, then CURRENT is replaced atomically, so a reader sees the old release
or the new one, never half of one. The daily run resolves CURRENT once, when it starts
(`published_library`), and reads only that folder: a plan that is running keeps the version it
started with, and what it reads was linted before it was published.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loan_comms.atomic_files import write_atomically

CURRENT = "CURRENT"
RELEASES = "releases"
MANIFEST = "manifest.json"
SOURCE_REPOSITORY = "repository"
SOURCE_STUDIO = "studio"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who wrote and who approved one published wording (one template version)."""

    template_id: str
    version: str
    source: str                      # "studio" or "repository" (the repository's files: see git log)
    author: str | None = None
    reviewer: str | None = None
    approved_at: str | None = None   # ISO 8601, UTC
    draft_id: int | None = None
    release: str | None = None


class ReleaseError(Exception):
    """A release folder or manifest that cannot be read: the run refuses it, with the path."""


def library_hash(files: dict[str, str]) -> str:
    """A short hash of every file's path and contents: a release's name carries it."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode("utf-8") + b"\0" + files[rel].encode("utf-8") + b"\0")
    return h.hexdigest()[:12]


def read_library(folder: Path) -> dict[str, str]:
    """Every template file of a library folder (relative posix path -> text); README and manifest left out."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*.j2")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return out


def current_release(studio_dir: Path) -> Path | None:
    """The published release's folder, or None when the studio has published nothing."""
    pointer = studio_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = studio_dir / RELEASES / name
    if not name or "/" in name or name.startswith(".") or not (folder / MANIFEST).is_file():
        raise ReleaseError(f"{pointer} names release '{name}', which is not a published release under "
                           f"{studio_dir / RELEASES}; restore CURRENT or publish again from the studio")
    return folder


def read_manifest(release_dir: Path) -> dict[str, Provenance]:
    """template_id -> Provenance of a release folder; {} for a plain library folder (no manifest)."""
    path = release_dir / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {tid: Provenance(template_id=tid, release=data.get("release"), **fields)
                for tid, fields in data["templates"].items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{path} is not a release manifest ({exc}); publish again from the studio") from exc


def releases(studio_dir: Path) -> list[Path]:
    """Every published release folder, oldest first."""
    root = studio_dir / RELEASES
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file())


def write_release(studio_dir: Path, files: dict[str, str], provenance: dict[str, Provenance], *,
                  published_at: datetime, published_by: str) -> Path:
    """Write a new release folder (numbered after the last one) and return it; CURRENT is not moved.

    The folder is written under a hidden name and renamed into place, so a crash leaves either no
    release or a whole one. Publishing the same files again still makes a new release (a roll back
    is a release of its own, with its own reviewer and time)."""
    root = studio_dir / RELEASES
    root.mkdir(parents=True, exist_ok=True)
    existing = releases(studio_dir)
    number = int(existing[-1].name.split("-", 1)[0]) + 1 if existing else 1
    name = f"{number:04d}-{library_hash(files)}"
    tmp = root / f".{name}.part"
    if tmp.exists():
        shutil.rmtree(tmp)
    for rel, text in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:      # on disk before the rename: a power cut never leaves CURRENT on empty files
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
    manifest: dict[str, Any] = {
        "release": name, "number": number, "published_at": published_at.isoformat(), "published_by": published_by,
        "templates": {tid: {k: v for k, v in asdict(p).items() if k not in ("template_id", "release")}
                      for tid, p in sorted(provenance.items())},
    }
    write_atomically(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    final = root / name
    os.replace(tmp, final)
    return final


def point_current(studio_dir: Path, release_dir: Path) -> None:
    """Make `release_dir` the published release (atomic: the next run reads it, a running one keeps its own)."""
    write_atomically(studio_dir / CURRENT, (release_dir.name + "\n").encode("utf-8"))


def differing_templates(release_dir: Path, repository_dir: Path) -> list[str]:
    """Template ids (<channel>/<language>/<kind>) whose files differ between a release and the repository's
    folder: what `loan-comms studio import` (or `export`) would bring across."""
    a, b = read_library(release_dir), read_library(repository_dir)
    changed = {rel for rel in set(a) | set(b) if a.get(rel) != b.get(rel)}
    return sorted({rel.rsplit(".", 2)[0] for rel in changed})
