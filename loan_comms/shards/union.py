"""Every shard of a sharded book read as one book: the audit, the reports and the day's global
steps (the assignment of human work) run their usual SQL over it, unchanged.

An in-memory DuckDB connection ATTACHes each shard file READ_ONLY and defines, in its own main
schema, a view per table of the book under the table's own name: the shards' rows UNION ALL for a
table owned by borrowers (each row is in exactly one shard), and for a global table (each shard
has its own copy, see split.py) the one reading of all copies sql/shards/union/<table>.sql gives
(the ledger of day runs: a day is planned when every shard planned it; agent_days: first recorded
wins), else their distinct rows. Read-only: the shards must not be open for writing elsewhere
(DuckDB's file lock), which is why the sharded day assigns its human work between its two maps.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from loan_comms import db
from loan_comms.paths import SQL_DIR
from loan_comms.shards.manifest import Manifest, read_manifest
from loan_comms.shards.split import TABLE_OWNERS, _check_classified, _quoted, book_tables


def open_union(directory: str | Path, manifest: Manifest | None = None) -> duckdb.DuckDBPyConnection:
    """A connection reading every shard of the sharded book in `directory` as one book (close it)."""
    manifest = manifest or read_manifest(directory)
    con = duckdb.connect(":memory:")
    try:
        # The session settings of db.connect (UTC, the real ASOF join) and, once the views exist, the TEMP
        # macros the SQL uses; not db.connect itself: its schema would create empty tables where the views go.
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET asof_loop_join_threshold = 0")
        for i, path in enumerate(manifest.paths()):
            con.execute(f"ATTACH {_quoted(path)} AS shard_{i} (READ_ONLY)")
        con.execute("CREATE TABLE union_shards (shard INTEGER, file VARCHAR)")
        con.executemany("INSERT INTO union_shards VALUES (?, ?)", [[i, f] for i, f in enumerate(manifest.files)])
        tables = book_tables(con, "shard_0")
        _check_classified(tables)   # as the split does: an unclassified table would be read as global (DISTINCT)
        for table in tables:
            parts = " UNION ALL BY NAME ".join(f"SELECT * FROM shard_{i}.main.{table}" for i in range(manifest.shards))
            if table in TABLE_OWNERS:
                con.execute(f"CREATE VIEW {table} AS {parts}")
                continue
            con.execute(f"CREATE VIEW _all_{table} AS {parts}")
            if (SQL_DIR / "shards" / "union" / f"{table}.sql").exists():
                db.run(con, f"shards/union/{table}")
            else:
                con.execute(f"CREATE VIEW {table} AS SELECT DISTINCT * FROM _all_{table}")
        con.execute(db.sql(db.MACROS))   # after the views: a table macro binds its tables (contact_intensity)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def union(directory: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """open_union for the length of a block."""
    con = open_union(directory)
    try:
        yield con
    finally:
        con.close()
