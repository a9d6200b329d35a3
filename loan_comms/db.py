"""DuckDB access: one connection per process, UTC sessions, SQL read from `sql/` files.

Only one process may write a DuckDB file at a time, so every command opens the file once and
passes the connection down; nothing else opens it behind its back.
"""

from __future__ import annotations

import functools
import itertools
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import duckdb

from loan_comms.errors import DatabaseCorrupt, DatabaseLocked, NoBook, OutdatedSchema, SplitBook
from loan_comms.paths import SQL_DIR

if TYPE_CHECKING:
    import pyarrow as pa


@functools.cache
def sql(name: str) -> str:
    """The text of `sql/<name>.sql`; statements take named parameters ($as_of), never formatting."""
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise FileNotFoundError(f"no SQL file {path}")
    return path.read_text(encoding="utf-8")


def connect(path: str | Path = ":memory:", *, read_only: bool = False,
            current: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database and make sure the schema exists.

    A read-only connection cannot add tables: with `current`, one on a book written by an older
    version is refused in one line (OutdatedSchema) naming `loan-comms upgrade`. Writers add what
    is missing themselves (every schema file is idempotent), so their pre-flight check passes
    current=False.

    A file another process holds, or one that is not a whole DuckDB database, is refused with a
    one-line DatabaseLocked / DatabaseCorrupt before anything is written to it: an existing file
    is first opened read-only and checked, and only then opened for writing.
    """
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
    else:
        path = Path(path)
        if path.exists():
            checked = _identity(path) in _checked
            if read_only:
                con = _open(path, read_only=True)
                if not checked:
                    _refuse_if_truncated(con, path)
            else:
                if not checked:
                    _check_before_writing(path)
                con = _open(path, read_only=False)
            _checked.add(_identity(path))
        else:
            if read_only:
                raise no_book(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            con = _open(path, read_only=False)
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB runs an ASOF join as a nested loop when it *estimates* at most 64 rows on the left.
    # Behind CTEs over empty tables (no kept repayment plan yet) the estimate collapses to a few
    # rows while the real left side is every installment: installment_state took 31 s instead of
    # 0.5 s at 20k loans, and grew with the square of the book. Always use the real ASOF join.
    con.execute("SET GLOBAL asof_loop_join_threshold = 0")
    if read_only:
        con.execute(sql(MACROS))  # the schema files (macros included) only run on writable connections
        if current:
            _refuse_if_outdated(con, path)
    else:
        ensure_schema(con)
    return con


def _columns(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(table, column) of every base table of the database's own schema (temp objects excluded)."""
    return set(con.execute("SELECT table_name, column_name FROM information_schema.columns "
                           "WHERE table_catalog = current_database() AND table_schema = 'main'").fetchall())


@functools.cache
def _current_columns() -> frozenset[tuple[str, str]]:
    """The tables and columns this version's schema files create (built once, in memory)."""
    mem = duckdb.connect(":memory:")
    try:
        mem.execute("SET TimeZone = 'UTC'")
        ensure_schema(mem)
        return frozenset(_columns(mem))
    finally:
        mem.close()


def _refuse_if_outdated(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """A read-only connection cannot add what a newer version expects, and its queries would fail
    deep inside with a catalog error: say so in one line, with the command that fixes it."""
    have = _columns(con)
    if ("borrowers", "borrower_id") not in have:
        return  # not a loan book at all: open_book says so (NoBook)
    missing = sorted(_current_columns() - have)
    if missing:
        con.close()
        table, column = missing[0]
        raise OutdatedSchema(
            f"{path}: written by an older loan-comms ({len(missing)} tables/columns missing, e.g. {table}.{column}); "
            f"run `loan-comms upgrade --db {path}` once (it only adds tables and columns), then try again")


def open_book(path: str | Path, *, read_only: bool = False, current: bool = True) -> duckdb.DuckDBPyConnection:
    """The loan book at `path`, for commands that need one; never creates a database.

    Refuses a missing file, or a database without borrowers (a mistyped --db would otherwise
    report "sent 0" over an empty book), with a hint to create one.
    """
    if not Path(path).exists():
        raise no_book(path)
    con = connect(path, read_only=read_only, current=current)
    has_table = scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'borrowers'")
    if not has_table or not scalar(con, "SELECT EXISTS (SELECT 1 FROM borrowers)"):
        con.close()
        raise no_book(path)
    try:
        check_single_book(con, path)
    except SplitBook:
        con.close()
        raise
    return con


def check_single_book(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """Refuse, in one line, a book that was split into shards or one shard of it (sql/schema/109_book_role.sql).

    Called where the single-book commands and flows open their database (open_book: every CLI
    command on an existing book; tasks.common.open_db: every flow's task; the import), never by the
    sharded code (loan_comms/shards opens its files with connect). Why: after a split, planning or
    sending the source book as well would contact every borrower twice, and one shard planned or
    sent alone books agents the other shards booked and sends at the provider's whole rate."""
    if not scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND table_name = 'book_role'"):
        return   # a book from before the marker: never split
    row = con.execute("SELECT role, directory, shard, shards FROM book_role ORDER BY marked_at LIMIT 1").fetchone()
    if row is None:
        return
    role, directory, shard, shards = row
    what = (f"this book was split into {shards} shards in {directory}" if role == "split"
            else f"shard {shard} of {shards} of the sharded book in {directory}, not a book on its own")
    raise SplitBook(f"{path}: {what}; use `loan-comms shards plan-day|dispatch-day|audit --dir {directory}` "
                    "(a sharded book takes no imports, docs/scaling.md)")


def no_book(path: str | Path) -> NoBook:
    """The error for a --db without a loan book, with the commands that make one."""
    what = "no loan book here" if Path(path).exists() else "no such database file, so no loan book here"
    return NoBook(f"{path}: {what}; create one with 'loan-comms generate' or 'loan-comms import'")


def check_book(path: str | Path) -> None:
    """Fail now, in one line, if `path` holds no usable loan book (before a flow starts on it). An
    older schema is fine here: the writer that follows adds what is missing."""
    open_book(path, read_only=True, current=False).close()


# Files this process has already checked (a run opens its book once per task; the check costs a
# read-only open, ~40 ms on a 20,000-loan book): the first open in each process checks.
_checked: set[tuple[str, int, int]] = set()


def _identity(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_dev, st.st_ino


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>\S+) \(PID (?P<pid>\d+)\)")
_HEADER_BYTES = 3 * 4096  # DuckDB's main header and two database headers precede the blocks


def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, with its open errors turned into one line that says what to do."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException) as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseLocked(_locked_message(path, text)) from None
        what = ("not a DuckDB database file" if "not a valid DuckDB database" in text
                else f"a damaged DuckDB database ({_first_line(text).removeprefix('IO Error: ')})")
        raise DatabaseCorrupt(f"{path}: {what}; nothing was written to it. Restore it from a backup, "
                              "or point --db at another file") from None


def _check_before_writing(path: Path) -> None:
    """Open an existing file read-only and check it, so a damaged one is never written to."""
    try:
        probe = _open(path, read_only=True)
    except duckdb.ConnectionException:
        return  # this process already has it open for writing: it was checked then
    _refuse_if_truncated(probe, path, close=True)


def _locked_message(path: Path, text: str) -> str:
    from loan_comms.ops.run_lock import holder

    m = _LOCK_HOLDER.search(text)
    who = f"process {m['pid']} ({Path(m['exe']).name})" if m else "another process"
    run = holder(path) or {}
    if m and str(run.get("pid")) == m["pid"] and run.get("what"):
        who += f", running {run['what']} since {run.get('since', '?')}"
    stop = f"or stop it (kill {m['pid']})" if m else "or stop it"
    return f"{path}: in use by {who}; wait for that run to finish {stop}, then try again"


def _refuse_if_truncated(con: duckdb.DuckDBPyConnection, path: Path, *, close: bool = False) -> None:
    """A file cut short (a copy that stopped, a full disk) still opens, and DuckDB would even write
    to it, but its data is gone. DuckDB keeps the file at whole blocks after its headers, and holds
    at least the blocks in use: a file that is not, or is shorter, is refused."""
    try:
        block_size, used = con.execute(
            "SELECT block_size, used_blocks FROM pragma_database_size() LIMIT 1").fetchall()[0]
        size = path.stat().st_size
        blocks_bytes = size - _HEADER_BYTES
        if block_size and (blocks_bytes < 0 or blocks_bytes % block_size or blocks_bytes // block_size < used):
            raise DatabaseCorrupt(f"{path}: the database file is truncated ({size:,} bytes, not the whole "
                                  f"{block_size:,}-byte blocks it needs); nothing was written to it. Restore it "
                                  "from a backup, or point --db at another file")
    except BaseException:
        con.close()
        raise
    if close:
        con.close()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


MACROS = "schema/005_macros"  # TEMP macros: each connection defines its own, read-only ones too


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every `sql/schema/*.sql` in name order; each is idempotent."""
    for path in sorted((SQL_DIR / "schema").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def bound(name: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The file's text and the subset of params it names (duckdb rejects unused ones); for callers
    that compose several files into one statement (the policy gate)."""
    return bind(sql(name), params)


def bind(text: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """`text` and the subset of params it names (duckdb rejects unused ones), for SQL kept elsewhere
    than sql/ (the benchmark's own files)."""
    code = re.sub(r"--[^\n]*", "", text)  # parameters named in comments are not parameters
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", code))
    return text, {k: v for k, v in (params or {}).items() if k in used}


def run(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Execute the named SQL file with bound parameters (only those the statement uses)."""
    text, args = bound(name, params)
    return con.execute(text, args)


def arrow(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    """Run a SELECT file and return its whole result as an Arrow table (typed by the SQL)."""
    text, args = bound(name, params)
    return con.sql(text, params=args).to_arrow_table()


def rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run a SQL file and return its rows as dicts (for small results: summaries, audits)."""
    cur = run(con, name, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: Mapping[str, Any] | None = None) -> Any:
    """First column of the first row of SQL text; the result is consumed whole (duckdb 2.0 insists).
    Questions belong in files (`value`); this is for the connection's own probes here."""
    found = con.execute(query, dict(params or {})).fetchall()
    return found[0][0] if found else None


def value(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """The single value the named SQL file returns (first column, first row; None if no row)."""
    found = run(con, name, params).fetchall()
    return found[0][0] if found else None


def changed(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> int:
    """Run a file holding one INSERT/UPDATE/DELETE and return how many rows it changed.

    DuckDB answers such a statement with its row count, so "how many were new" needs no count of
    the (large) target table before and after."""
    found = run(con, name, params).fetchall()
    return int(found[0][0]) if found else 0


_names = itertools.count(1)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, table: pa.Table, name: str | None = None) -> Iterator[str]:
    """Make an Arrow table readable by SQL as a view for the duration of the block; yields its name.

    SQL files that read a batch by a fixed name (`_receipts`) pass that name; otherwise the name is
    unique, so nested or repeated registrations never replace each other. Unregistered on the way out,
    whatever happens, so no view outlives the Arrow table it reads."""
    view = name or f"_arrow_{next(_names)}"
    con.register(view, table)
    try:
        yield view
    finally:
        con.unregister(view)


def temp_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Copy an Arrow table into the connection's TEMP table `name` (replacing it), for SQL files
    that read it by that name after the Arrow table is gone (config tables, a batch)."""
    with registered(con, table) as view:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")


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
