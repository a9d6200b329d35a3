"""How `loan-comms` reports a failure: one line on stderr, never a traceback unless asked.

Every mistake the user can fix is a `LoanCommsError` (see `loan_comms/errors.py`): it prints
`loan-comms: <message>` and exits with its `exit_code` (1, or 2 for wrong input). DuckDB's own I/O
errors are treated the same way. Anything else is a bug: one line that says so and how to see the
traceback. `--debug` or LOAN_COMMS_DEBUG=1 re-raises instead, so the traceback shows. The messages
carry ids, counts, file names and reasons, never personal data. This is the only place that catches
them: commands let domain errors escape.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import duckdb
from typer import _click
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit

from loan_comms.errors import LoanCommsError

DEBUG_ENV = "LOAN_COMMS_DEBUG"
_debug = [False]


def set_debug(on: bool) -> None:
    _debug[0] = bool(on)


def debugging() -> bool:
    return _debug[0] or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def report(exc: Exception) -> int:
    """Print the one line for `exc` and return the exit code."""
    from loan_comms.cli.common import one_line

    if isinstance(exc, (LoanCommsError, duckdb.IOException)):
        code = getattr(exc, "exit_code", 1) if isinstance(exc, LoanCommsError) else 1
        text = one_line(str(exc)) or type(exc).__name__
        print(f"loan-comms: {text.removeprefix('IO Error: ')}", file=sys.stderr)
        return code
    print(f"loan-comms: unexpected {type(exc).__name__}: this is a bug; run again with --debug "
          f"(or {DEBUG_ENV}=1) to see the traceback, and report it", file=sys.stderr)
    return 1


class ReportingGroup(TyperGroup):
    """The main command group (and the `templates` group, also run on its own): errors escaping a
    command become one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (_click.exceptions.ClickException, Exit, Abort):
            raise
        except Exception as exc:
            if debugging():
                raise
            raise Exit(report(exc)) from None
