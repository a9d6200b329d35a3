"""DuckDB access: one connection per process, UTC sessions, SQL read from `sql/` files.

Only one process may write a DuckDB file at a time, so every command opens the file once and
passes the connection down; nothing else opens it behind its back.
"""

from __future__ import annotations

import functools
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb

from loan_comms.paths import SQL_DIR


@functools.cache
def sql(name: str) -> str:
    """The text of `sql/<name>.sql`; statements take named parameters ($as_of), never formatting."""
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise FileNotFoundError(f"no SQL file {path}")
    return path.read_text(encoding="utf-8")


def connect(path: str | Path = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database and make sure the schema exists."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise RuntimeError(
            f"cannot open {path}: {exc}. Only one process may write a DuckDB file at a time; "
            "is another loan-comms run (or a DuckDB shell) holding it?"
        ) from exc
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every `sql/schema/*.sql` in name order; each is idempotent."""
    for path in sorted((SQL_DIR / "schema").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def _bound(name: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The file's text and the subset of params it names (duckdb rejects unused ones)."""
    text = sql(name)
    code = re.sub(r"--[^\n]*", "", text)  # parameters named in comments are not parameters
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", code))
    return text, {k: v for k, v in (params or {}).items() if k in used}


def run(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Execute the named SQL file with bound parameters (only those the statement uses)."""
    text, bound = _bound(name, params)
    return con.execute(text, bound)


def arrow(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None):
    """Run a SELECT file and return its whole result as an Arrow table (typed by the SQL)."""
    text, bound = _bound(name, params)
    return con.sql(text, params=bound).to_arrow_table()


def rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run a SQL file and return its rows as dicts (for small results: summaries, audits)."""
    cur = run(con, name, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: Mapping[str, Any] | None = None) -> Any:
    """First column of the first row; the result is consumed whole (duckdb 2.0 insists)."""
    found = con.execute(query, dict(params or {})).fetchall()
    return found[0][0] if found else None


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: a crash inside leaves the database as it was before."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
