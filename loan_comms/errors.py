"""One base for the mistakes a person can fix (a bad path, a locked file, a bad config value).

Every domain error derives from `LoanCommsError` (keeping its older base too, so `except ValueError`
callers still work): the config (`ConfigError`), the book (`BookFileError`, `BookExistsError`), the
database (below), the run lock (`RunLockTimeout`), the day order (`DayOutOfOrder`), templates
(`TemplateProblems`), delivery (`ProviderConfigError`, `MissingSecret`, `DeliveryHalted`,
`SimulatedClockRefused`), inbound files (`InboundFileError`) and the audit (`AuditError`).

The CLI catches them once, in its main group (`loan_comms/cli/errors.py`), prints one line,
`loan-comms: <message>`, and exits with the error's `exit_code`: 1 when the run could not go ahead
(a locked book, a halted provider), 2 when the input the command was given is wrong (a file that
cannot be read, a config value, a book that already exists), as typer's usage errors do. It never
shows a traceback for them unless asked (`--debug` or LOAN_COMMS_DEBUG=1). Messages carry file
names, ids, counts and reasons, never personal data.
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


class SplitBook(DatabaseError):
    """A single-book command met a book that was split into shards, or one shard of it (book_role)."""


class OutdatedSchema(DatabaseError):
    """A read-only command met a database written by an older loan-comms (tables or columns missing);
    `loan-comms upgrade` adds them (it only adds, never changes or removes)."""

    exit_code = 2
