"""Split one book into K shard files by the shard key (loan_comms/shards/key.py), with a manifest.

Every table of the book is either owned (each row belongs to one borrower, through its borrower,
loan, contact, repayment plan, plan offer or survey: TABLE_OWNERS says which) and goes to that
borrower's shard, or global (GLOBAL_TABLES: the ledger of day runs, the policy versions, the
agents' shift snapshots, run and import logs) and is copied to every shard, where each shard's own
ledger then moves on by itself; the union (union.py) reads those back as one. A table in neither
list stops the split: a new table must be classified before a sharded book can hold it.

Each shard's borrower_events ids continue the book's sequence, interleaved (shard i: first + i,
first + i + K, ...), so the union of the shards never holds one id twice.

The copy statements are composed here because they name tables (identifiers cannot be bound);
the tables come only from the two fixed lists below, the values are bound parameters.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from loan_comms import db
from loan_comms.shards.key import KEY_VERSION, KeyReport, compute_key
from loan_comms.shards.manifest import Manifest, ShardError, write_manifest

log = logging.getLogger(__name__)

# table -> (owner, key column): the row goes to the shard of that owner (sql/shards/owners.sql).
TABLE_OWNERS: dict[str, tuple[str, str]] = {
    "borrowers": ("borrower", "borrower_id"),
    "borrower_shards": ("borrower", "borrower_id"),
    "borrower_contact_points": ("borrower", "borrower_id"),
    "borrower_events": ("borrower", "borrower_id"),
    "synthetic_profiles": ("borrower", "borrower_id"),
    "loans": ("borrower", "borrower_id"),
    "contact_attempts": ("borrower", "borrower_id"),
    "call_assignments": ("borrower", "borrower_id"),
    "call_queue": ("borrower", "borrower_id"),
    "call_withdrawals": ("borrower", "borrower_id"),
    "visit_assignments": ("borrower", "borrower_id"),
    "handoffs": ("borrower", "borrower_id"),
    "survey_invitations": ("borrower", "borrower_id"),
    "arrangements": ("borrower", "borrower_id"),
    "arrangement_offers": ("borrower", "borrower_id"),
    "experiment_assignments": ("borrower", "borrower_id"),   # 112: the arm each borrower was drawn into
    "installments": ("loan", "loan_id"),
    "payment_feed": ("loan", "loan_id"),
    "delinquency_episodes": ("loan", "loan_id"),
    "state_installments": ("loan", "loan_id"),   # the stored state of the shard's own loans (110_state_incremental)
    "state_loans": ("loan", "loan_id"),
    "contact_messages": ("attempt", "attempt_id"),
    "outbox_messages": ("attempt", "attempt_id"),
    "provider_receipts": ("attempt", "attempt_id"),
    "dialer_pushes": ("attempt", "attempt_id"),
    "call_assignment_changes": ("attempt", "attempt_id"),
    "arrangement_loans": ("arrangement", "arrangement_id"),
    "arrangement_installments": ("arrangement", "arrangement_id"),
    "arrangement_covered_installments": ("arrangement", "arrangement_id"),
    "arrangement_exports": ("arrangement", "arrangement_id"),
    "arrangement_offer_options": ("offer", "token"),
    "arrangement_offer_loans": ("offer", "token"),
    "survey_answers": ("survey", "token"),
}

# Copied whole to every shard; union.py reads each back as one (sql/shards/union/).
GLOBAL_TABLES: tuple[str, ...] = ("day_runs", "policy_versions", "agent_days", "run_log", "import_quarantine",
                                  "provider_canaries",
                                  # the stored state's instant and last event: every shard's new events come after it
                                  "state_watermark",
                                  # a cache of numbering-plan lookups per phone number: each shard adds its own
                                  "phone_lookups",
                                  # what the file is (109_book_role): empty in a book that can be split; each
                                  # shard's own row is written after the copy
                                  "book_role",
                                  # the registry of template versions (111): each shard registers what its
                                  # own contacts used; the union keeps the first registration of each
                                  "template_versions",
                                  # the experiments as each day ran them, and the arms a guardrail stopped
                                  # (112): the same for every borrower, so in every shard
                                  "experiment_versions", "experiment_days", "experiment_arms")


def _quoted(path: Path) -> str:
    """`path` as an SQL string literal (ATTACH takes no bound parameter; a folder may hold a quote)."""
    return "'" + str(path).replace("'", "''") + "'"


def shard_file(shard: int) -> str:
    return f"shard-{shard}.duckdb"


def book_tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """The base tables of a book's own schema (temp objects excluded)."""
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name", [catalog]).fetchall()]


def _check_classified(tables: list[str]) -> None:
    unknown = sorted(set(tables) - set(TABLE_OWNERS) - set(GLOBAL_TABLES))
    if unknown:
        raise ShardError(f"table(s) {', '.join(unknown)} are neither owned by a borrower nor global "
                         "(loan_comms/shards/split.py TABLE_OWNERS / GLOBAL_TABLES): classify them before splitting")


def _new_shard(path: Path, first_event_id: int, shard: int, shards: int) -> None:
    """An empty shard file with the schema, its event ids interleaved with the other shards'."""
    raw = duckdb.connect(str(path))
    try:
        raw.execute(f"CREATE SEQUENCE borrower_events_seq START WITH {int(first_event_id) + shard} "
                    f"INCREMENT BY {int(shards)}")
    finally:
        raw.close()
    db.connect(path).close()   # every schema file (the sequence above is kept: IF NOT EXISTS)


def split_book(book: str | Path, shards: int, out: str | Path) -> tuple[Manifest, KeyReport]:
    """Compute the shard key on `book` (stored in its borrower_shards) and write `shards` shard files
    and the manifest into `out`, a folder that holds no sharded book yet.

    The files are written into `<out>.partial` and it is renamed to `out` only once the manifest is
    in it, so a split that crashed leaves no folder that looks like a half sharded book (the next
    split removes the leftover). Then the book is marked as split and each shard as a shard
    (book_role): the single-book commands and flows refuse both from then on (db.check_single_book),
    else the book would go on being planned and sent beside its shards. The book is otherwise only read."""
    out = Path(out).absolute()
    if shards < 1:
        raise ShardError(f"--k must be at least 1, got {shards}")
    if out.exists() and not out.is_dir():
        raise ShardError(f"{out}: is a file; --out is the folder the shard files go into")
    if out.exists() and any(out.iterdir()):
        raise ShardError(f"{out}: not empty; split into a new folder (a sharded book is never overwritten)")
    partial = out.with_name(out.name + ".partial")
    if partial.exists():   # what a crashed split left: never a sharded book (it has no manifest until renamed)
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    con = db.open_book(book)
    try:
        con.execute("SET enable_progress_bar = false")
        tables = book_tables(con)
        _check_classified(tables)
        key = compute_key(con, shards)
        db.run(con, "shards/owners")
        first_event_id = int(db.value(con, "shards/event_ids"))
        rows: dict[str, list[int]] = {t: [] for t in tables}
        now = datetime.now(UTC)
        for i in range(shards):
            path = partial / shard_file(i)
            _new_shard(path, first_event_id, i, shards)
            con.execute(f"ATTACH {_quoted(path)} AS shard_out")
            try:
                with db.transaction(con):
                    for table in tables:
                        rows[table].append(_copy(con, table, i, shards))
                    con.execute("INSERT INTO shard_out.main.book_role VALUES ('shard', ?, ?, ?, ?)",
                                [str(out), i, shards, now])
            finally:
                con.execute("DETACH shard_out")
        _check_counts(con, rows, shards)
        manifest = Manifest(shards=shards, key_version=KEY_VERSION, files=tuple(shard_file(i) for i in range(shards)),
                            source=Path(book).name, split_at=now.isoformat(timespec="seconds"),
                            rows=rows, directory=partial)
        write_manifest(manifest)
        if out.exists():
            out.rmdir()   # empty, checked above
        os.replace(partial, out)
        con.execute("INSERT INTO book_role VALUES ('split', ?, NULL, ?, ?)", [str(out), shards, now])
    finally:
        con.close()
    log.info("split %s into %d shards in %s: %s", Path(book).name, shards, out, key)
    return replace(manifest, directory=out), key


def _copy(con: duckdb.DuckDBPyConnection, table: str, shard: int, shards: int) -> int:
    """Copy `table`'s rows of `shard` (all of them for a global table) into the attached shard_out."""
    if table in GLOBAL_TABLES:
        found = con.execute(f"INSERT INTO shard_out.main.{table} BY NAME SELECT * FROM main.{table}").fetchall()
    else:
        owner, column = TABLE_OWNERS[table]
        found = con.execute(
            f"INSERT INTO shard_out.main.{table} BY NAME "
            f"SELECT t.* FROM main.{table} AS t "
            f"LEFT JOIN shard_owners AS o ON o.owner = $owner AND o.key = t.{column} "
            f"WHERE coalesce(o.shard, (md5_number(t.{column}) % $shards::UHUGEINT)::INTEGER) = $shard",
            {"owner": owner, "shard": shard, "shards": shards}).fetchall()
    return int(found[0][0]) if found else 0


def _check_counts(con: duckdb.DuckDBPyConnection, rows: dict[str, list[int]], shards: int) -> None:
    """Every owned row in exactly one shard, every global row in each: else the split is wrong, loudly."""
    for table, counts in rows.items():
        total = int(con.execute(f"SELECT count(*) FROM main.{table}").fetchall()[0][0])
        expected = [total] * shards if table in GLOBAL_TABLES else None
        if (expected is not None and counts != expected) or (expected is None and sum(counts) != total):
            raise ShardError(f"split of {table}: {counts} rows in the shards for {total} in the book")
