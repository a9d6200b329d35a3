"""A small generated book on disk and the whole `loan-comms` command line, as a user runs it."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli import _mount, app
from loan_comms.book.synthetic import generate_book


@pytest.fixture(scope="session")
def _book_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("book") / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=60, seed=3, start=date(2026, 11, 1))
    con.close()
    return path.read_bytes()


@pytest.fixture
def book(tmp_path, _book_bytes) -> Path:
    """A fresh copy of a 60-loan book (a copy each, so a test may damage it)."""
    path = tmp_path / "book.duckdb"
    path.write_bytes(_book_bytes)
    return path


def cli(*args: str, env: dict[str, str] | None = None):
    """Run `loan-comms ARGS` in this process; the result has exit_code, output (stdout and stderr)
    and exception (set when the command let one escape)."""
    _mount()
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
