"""Opening the database: a locked file names its holder, a damaged one is refused before any write,
and a path without a loan book is refused with a hint, by every command."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.errors import DatabaseCorrupt, DatabaseLocked, NoBook
from loan_comms.paths import REPO_ROOT

from .conftest import cli, digest

CSV = REPO_ROOT / "examples" / "loan_book.csv"

# Every command that works on an existing book, with the arguments it needs besides --db.
NEEDS_BOOK = [
    ("run-day", "--as-of", "2026-11-05"),
    ("run-days", "--start", "2026-11-01", "--days", "2"),
    ("dispatch", "--now", "2026-11-05T02:00:00Z"),
    ("audit",),
    ("trace", "--borrower", "B1"),
    ("ingest-receipts", str(CSV)),
    ("ingest-replies", str(CSV)),
    ("ingest-call-outcomes", str(CSV)),
    ("record-events", str(CSV)),
    ("feedback-report",),
]


@pytest.fixture
def holder(book):
    """Another process with the book open for writing (a DuckDB shell, say)."""
    proc = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                             "print('open', flush=True); time.sleep(60)", str(book)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    yield proc
    proc.kill()
    proc.wait()


def test_a_locked_database_names_the_holder_and_what_to_do(book, holder):
    with pytest.raises(DatabaseLocked) as err:
        db.connect(book)
    msg = str(err.value)
    assert f"in use by process {holder.pid} (python" in msg
    assert f"wait for that run to finish or stop it (kill {holder.pid})" in msg
    result = cli("run-day", "--as-of", "2026-11-05", "--db", book)
    assert result.exit_code == 1
    assert result.output.startswith(f"loan-comms: {book}: in use by process {holder.pid}")
    assert result.output.count("\n") == 1


def truncated(book: Path) -> Path:
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    return book


@pytest.mark.parametrize("args", [*NEEDS_BOOK, ("import", str(CSV)), ("generate", "--loans", "5")],
                         ids=lambda a: a[0])
def test_a_truncated_database_is_refused_in_one_line_and_never_written(book, args):
    before = digest(truncated(book))
    result = cli(*args, "--db", book)
    assert result.exit_code in (1, 2), result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert f"{book}: the database file is truncated" in result.output
    assert "nothing was written to it" in result.output
    assert digest(book) == before
    assert not Path(str(book) + ".wal").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "book.duckdb"
    path.write_text("borrower_id,name\nB1,Wang Wei\n", encoding="utf-8")
    with pytest.raises(DatabaseCorrupt, match="not a DuckDB database file; nothing was written"):
        db.connect(path)
    result = cli("import", str(CSV), "--db", path)
    assert result.exit_code == 1 and "not a DuckDB database file" in result.output
    assert path.read_text(encoding="utf-8") == "borrower_id,name\nB1,Wang Wei\n"


@pytest.mark.parametrize("args", NEEDS_BOOK, ids=lambda a: a[0])
def test_a_mistyped_db_is_refused_with_a_hint_and_not_created(tmp_path, args):
    path = tmp_path / "data" / "bok.duckdb"
    result = cli(*args, "--db", path)
    assert result.exit_code in (1, 2), result.output
    assert f"loan-comms: {path}: no such database file" in result.output
    assert "create one with 'loan-comms generate' or 'loan-comms import'" in result.output
    assert not path.parent.exists(), "nothing created for a mistyped path"


def test_a_database_without_borrowers_is_not_a_book(tmp_path):
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()  # schema, no rows
    with pytest.raises(NoBook, match="no loan book here; create one with 'loan-comms generate'"):
        db.open_book(path)
    result = cli("run-day", "--as-of", "2026-11-05", "--db", path)
    assert result.exit_code == 1 and "no loan book here" in result.output


def test_generate_and_import_still_create_a_book(tmp_path):
    assert cli("generate", "--loans", "5", "--db", tmp_path / "g.duckdb").exit_code == 0
    db.open_book(tmp_path / "g.duckdb", read_only=True).close()
    result = cli("import", str(CSV), "--db", tmp_path / "i.duckdb")
    assert result.exit_code == 0, result.output
    db.open_book(tmp_path / "i.duckdb", read_only=True).close()


def test_the_check_costs_little(book):
    """The read-only look before every write (tasks open the book once per task) stays cheap."""
    t0 = time.perf_counter()
    for _ in range(5):
        db.connect(book).close()
    assert (time.perf_counter() - t0) / 5 < 1.0
