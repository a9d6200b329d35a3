"""The shard key: which shard each borrower is planned in.

Planning and policy read one borrower's rows and the rows of the contact points they hold (caps,
opt-outs, wrong numbers belong to the phone as well as to the person), so borrowers who share a
phone or an e-mail, directly or through others, must be decided together. The key is the
connected component of that sharing graph (sql/shards/key_links.sql says which points count),
named by its smallest borrower_id (cluster_id), and the shard is md5_number(cluster_id) % K: a
stable hash, the same on every machine and Python version (not hash()), so a borrower stays in
its shard for as long as its cluster does.

Computed set-wise in DuckDB: min-label propagation with pointer jumping over the linked borrowers
only (sql/shards/key_spread.sql, key_jump.sql), a few rounds; stored in borrower_shards.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now

log = logging.getLogger(__name__)

KEY_VERSION = 1       # components over borrower_points + event and contact points; md5_number(cluster) % K
MAX_ROUNDS = 200      # pointer jumping halves a chain per round: far more than any real cluster needs


@dataclass(frozen=True)
class KeyReport:
    """What computing the key found (counts only, safe to log)."""

    borrowers: int
    linked: int        # borrowers sharing a point with another
    clusters: int      # clusters of two borrowers or more
    largest: int       # borrowers in the largest cluster
    rounds: int


def shard_of(cluster_id: str, shards: int) -> int:
    """The shard of a cluster, as sql/shards/key_store.sql computes it (md5_number: the md5 digest
    read as a little-endian integer), for code that routes rows without the database."""
    return int.from_bytes(hashlib.md5(cluster_id.encode("utf-8")).digest(), "little") % shards


def compute_key(con: duckdb.DuckDBPyConnection, shards: int, *, computed_at: datetime | None = None) -> KeyReport:
    """Compute every borrower's cluster and shard for `shards` shards and store them in borrower_shards
    (replacing an earlier key). Reads the book on `con`; writes only borrower_shards."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    db.run(con, "shards/key_links")
    db.run(con, "shards/key_labels")
    rounds = 0
    while True:
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise RuntimeError(f"the shard key did not settle in {MAX_ROUNDS} rounds")
        spread = db.changed(con, "shards/key_spread")
        jumped = db.changed(con, "shards/key_jump")
        if not spread and not jumped:
            break
    with db.transaction(con):
        db.run(con, "shards/key_clear")
        stored = db.changed(con, "shards/key_store", {"shards": shards, "key_version": KEY_VERSION,
                                                      "computed_at": computed_at or utc_now()})
    row = db.rows(con, "shards/key_summary")[0]
    report = KeyReport(borrowers=stored, linked=row["linked"], clusters=row["clusters"], largest=row["largest"],
                       rounds=rounds)
    log.info("shard key: %s", report)
    return report
