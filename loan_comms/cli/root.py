"""The `loan-comms` app: its `--debug` callback, the command groups mounted on it, and `main`.

Each group is one module with its own `app` of top-level commands, merged into this one by typer's
nameless `add_typer` (its documented way to keep commands in several files); `templates` is a
sub-app of its own, and so are `reviews` (the review queue) and `handoff` (the partner's cases). Every command takes --db (a DuckDB file) and prints counts, never personal data.
"""

from __future__ import annotations

import typer

from loan_comms.cli import (arrangements, arrangements_export, audit, book, calls, days, delivery, experiments,
                            feedback, handoff, inbound, plans, replay, reviews, shards, simulate, studio, templates,
                            visits)
from loan_comms.cli.errors import DEBUG_ENV, ReportingGroup, set_debug

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=ReportingGroup,
                  help="Borrower communications: reminders, escalation, contact policy, audit.")


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", envvar=DEBUG_ENV,
                                     help=f"Show Python tracebacks (also {DEBUG_ENV}=1).")) -> None:
    """Borrower communications: reminders, escalation, contact policy, audit."""
    set_debug(debug)


for group in (book, days, inbound, delivery, audit, simulate, feedback, plans, calls, visits, replay):
    app.add_typer(group.app)
app.add_typer(templates.app, name="templates")
app.add_typer(reviews.app, name="reviews")
app.add_typer(handoff.app, name="handoff")             # export | recall: the cases handed to the partner
app.add_typer(arrangements.app, name="arrangements")   # review|approve|decline; `export` registers on it
app.add_typer(studio.app, name="studio")               # add-user | serve | export | releases: the template studio
app.add_typer(experiments.app, name="experiments")     # list | readout | guardrails: strategy experiments
app.add_typer(shards.app, name="shards")               # split | plan-day | dispatch-day | audit: a book in K shards
_ = arrangements_export  # noqa: F841  (imported for its `export` command)


def _mount() -> None:
    """Kept for callers of the old splicing API: every group is mounted when this module loads."""


def main() -> None:
    """The `loan-comms` entry point: a user's mistake is one line on stderr, never a traceback."""
    from loan_comms.ops.prefect_env import stop_on_signals

    stop_on_signals()
    app(prog_name="loan-comms")


if __name__ == "__main__":
    main()
