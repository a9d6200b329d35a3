"""`loan-comms audit`: judge a database's whole contact history against the contact policy.

Prints one line per rule (contacts checked, violations found), then the first few violating rows
of each broken rule, and exits 1 when any rule was broken (2 when the audit could not run), so a
CI job or an operator's script can gate on it. Output carries ids, never names, phones or e-mails.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Optional

import typer

from loan_comms.cli.common import fail, parse_now
from loan_comms.paths import DEFAULT_DB

app = typer.Typer(add_completion=False)


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value.tzinfo else value.isoformat(" ")
    return str(value)


@app.command("audit")
def audit(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="DuckDB file to audit (opened read-only)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Lifecycle config (default config/lifecycle.toml)."),
    show: int = typer.Option(5, "--show", min=0, help="Violating rows to show per broken rule."),
    now: Optional[str] = typer.Option(None, "--now", help="Judge 'nothing lost' as of this UTC instant "
                                      "(default: the last moment the system acted on the log)."),
    require_checked: bool = typer.Option(False, "--require-checked",
                                         help="Also fail when a rule found no contact to check."),
) -> None:
    """Check every contact policy rule over the whole contact history (an independent reading in sql/audit)."""
    from loan_comms import db as dbm
    from loan_comms.audit.runner import AuditError, run_audit
    from loan_comms.config import ConfigError, load_config
    from loan_comms.errors import DatabaseError

    at = parse_now(now, default_now=False)
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        fail(str(exc))
    try:
        con = dbm.open_book(db, read_only=True)
    except DatabaseError as exc:
        fail(str(exc))
    try:
        report = run_audit(con, cfg, now=at, show=show)
    except AuditError as exc:
        fail(str(exc))
    finally:
        con.close()

    typer.echo(f"Audit of {db} against policy {report.policy_version}, as of {_fmt(report.as_of)}")
    for rule in report.rules:
        typer.secho(str(rule), fg=None if rule.ok else typer.colors.RED)
    for rule in report.rules:
        if rule.ok or not rule.rows:
            continue
        typer.echo(f"\n{rule.name}: {rule.question}")
        for row in rule.rows:
            typer.echo(f"  - {row.get('violation')}")
            typer.echo("    " + ", ".join(f"{k}={_fmt(v)}" for k, v in row.items() if k != "violation"))
        if rule.violations > len(rule.rows):
            typer.echo(f"  ... and {rule.violations - len(rule.rows):,} more")
    broken = [r.name for r in report.rules if not r.ok]
    idle = list(report.unexercised)
    typer.echo("")
    if broken:
        typer.secho(f"FAILED: {report.violations:,} violations of {len(broken)} rule(s): {', '.join(broken)}",
                    fg=typer.colors.RED)
    else:
        typer.secho(f"PASSED: no violations across {len(report.rules)} rules", fg=typer.colors.GREEN)
    if idle:
        typer.echo(f"note: nothing to check for {', '.join(idle)}")
    if broken or (require_checked and idle):
        raise typer.Exit(1)
