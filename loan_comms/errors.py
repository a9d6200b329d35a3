"""One base for the mistakes a person can fix (a bad path, a locked file, a bad config value).

The CLI prints such an error as one line, `loan-comms: <message>`, and exits 1 (typer's usage
errors exit 2); it never shows a traceback for them unless asked (`--debug` or LOAN_COMMS_DEBUG=1).
Domain modules subclass `LoanCommsError`, so the CLI need not know each of them. Messages carry
file names, ids, counts and reasons, never personal data.
"""

from __future__ import annotations


class LoanCommsError(Exception):
    """A problem the user can fix; its message says what is wrong and what to do."""

    exit_code: int = 1


class DatabaseError(LoanCommsError, RuntimeError):
    """A DuckDB file that cannot be opened: locked by another process, corrupt, or no loan book.
    (Also a RuntimeError, which is what opening a locked file used to raise.)"""


class DatabaseLocked(DatabaseError):
    """Another process holds the DuckDB file open."""


class DatabaseCorrupt(DatabaseError):
    """The file is not a DuckDB database, or a damaged one; nothing was written to it."""


class NoBook(DatabaseError):
    """The command needs a loan book and the path has none (missing file, or no borrowers)."""
