"""A user's mistake is one line on stderr and exit 1; a bug says it is one; --debug shows the traceback."""

from __future__ import annotations

import pytest

from loan_comms import db
from loan_comms.errors import LoanCommsError

from .conftest import cli


class Boom(Exception):
    pass


def _break_trace(monkeypatch, exc: Exception) -> None:
    def rows(*_a, **_k):
        raise exc

    monkeypatch.setattr(db, "rows", rows)


def test_a_domain_error_is_one_line_with_exit_1(monkeypatch, book):
    _break_trace(monkeypatch, LoanCommsError("B7: nothing to trace\nsecond line"))
    result = cli("trace", "--borrower", "B7", "--db", book)
    assert result.exit_code == 1
    assert result.output == "loan-comms: B7: nothing to trace; second line\n"


def test_a_bug_says_it_is_one_and_how_to_see_the_traceback(monkeypatch, book):
    _break_trace(monkeypatch, Boom("+8613812345678"))  # a bug's message may hold data: not printed
    result = cli("trace", "--borrower", "B7", "--db", book)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "unexpected Boom: this is a bug; run again with --debug (or LOAN_COMMS_DEBUG=1)" in result.output
    assert "+86138" not in result.output


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback(monkeypatch, book, how):
    _break_trace(monkeypatch, LoanCommsError("B7: nothing to trace"))
    if how == "flag":
        result = cli("--debug", "trace", "--borrower", "B7", "--db", book)
    else:
        result = cli("trace", "--borrower", "B7", "--db", book, env={"LOAN_COMMS_DEBUG": "1"})
    assert isinstance(result.exception, LoanCommsError), result.output  # re-raised, not reported


def test_known_domain_errors_share_the_base():
    from loan_comms.config import ConfigError
    from loan_comms.errors import DatabaseCorrupt, DatabaseLocked, NoBook
    from loan_comms.ops.run_lock import RunLockTimeout
    from tasks.common import TemplateProblems

    for cls in (ConfigError, RunLockTimeout, TemplateProblems, DatabaseLocked, DatabaseCorrupt, NoBook):
        assert issubclass(cls, LoanCommsError)
    assert issubclass(ConfigError, ValueError) and issubclass(RunLockTimeout, RuntimeError)


def test_the_installed_command_prints_no_traceback(tmp_path):
    """The real entry point (not the test runner): a missing book is one line on stderr."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "loan_comms", "run-day", "--as-of", "2026-11-05",
                          "--db", str(tmp_path / "bok.duckdb")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr == (f"loan-comms: {tmp_path / 'bok.duckdb'}: no such database file, so no loan book here; "
                          "create one with 'loan-comms generate' or 'loan-comms import'\n")
    assert not (tmp_path / "bok.duckdb").exists() and not (tmp_path / "bok.duckdb.lock").exists()
