"""The manifest of a sharded book: how many shards, which key, which files (manifest.json).

Written once by the split, read by everything that opens the shards (the union, the sharded day,
its dispatch and audit), so they all agree on K and on where each shard lives. Paths are relative
to the manifest's folder: the folder can be moved or mounted elsewhere whole.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from loan_comms.atomic_files import write_atomically
from loan_comms.errors import LoanCommsError
from loan_comms.shards.key import KEY_VERSION

MANIFEST = "manifest.json"


class ShardError(LoanCommsError, RuntimeError):
    """A sharded book that cannot be used as asked (no manifest, a shard missing, a mismatch)."""


@dataclass(frozen=True)
class Manifest:
    """K shard files of one book, split by key version `key_version` (loan_comms/shards/key.py)."""

    shards: int
    key_version: int
    files: tuple[str, ...]                 # shard i is files[i], relative to `directory`
    source: str                            # the book it was split from (a name, for people)
    split_at: str                          # UTC, ISO 8601
    rows: dict[str, list[int]] = field(default_factory=dict)   # table -> rows per shard at the split
    directory: Path = Path(".")

    def path(self, shard: int) -> Path:
        return self.directory / self.files[shard]

    def paths(self) -> list[Path]:
        return [self.path(i) for i in range(self.shards)]

    def work_dir(self, what: str) -> Path:
        """Where a sharded run keeps what its steps hand each other (Parquet), e.g. work/2026-11-12."""
        return self.directory / "work" / what


def write_manifest(manifest: Manifest) -> Path:
    data = asdict(manifest)
    data.pop("directory")
    data["files"] = list(manifest.files)
    path = manifest.directory / MANIFEST
    write_atomically(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return path


def read_manifest(directory: str | Path) -> Manifest:
    """The manifest of the sharded book in `directory`; ShardError when there is none or a shard is missing."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.exists():
        raise ShardError(f"{directory}: no sharded book here (no {MANIFEST}); make one with "
                         "`loan-comms shards split --db BOOK --k K --out DIR`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(shards=int(data["shards"]), key_version=int(data["key_version"]),
                            files=tuple(data["files"]), source=data["source"], split_at=data["split_at"],
                            rows={k: list(v) for k, v in data.get("rows", {}).items()}, directory=directory)
    except (ValueError, KeyError, TypeError, AttributeError) as e:   # JSONDecodeError is a ValueError
        raise ShardError(f"{path}: not a readable manifest ({type(e).__name__}: {e}); it is written by "
                         "`loan-comms shards split` and never edited by hand") from None
    if len(manifest.files) != manifest.shards:
        raise ShardError(f"{path}: {manifest.shards} shards but {len(manifest.files)} files listed")
    if manifest.key_version != KEY_VERSION:
        raise ShardError(f"{path}: split with shard key version {manifest.key_version}, this loan-comms computes "
                         f"version {KEY_VERSION}: borrowers sharing a phone or e-mail may not be in one shard; "
                         "use the loan-comms version that split it")
    missing = [str(p) for p in manifest.paths() if not p.exists()]
    if missing:
        raise ShardError(f"{directory}: shard file(s) missing: {', '.join(missing)}")
    return manifest
