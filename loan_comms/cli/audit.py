"""Reading the contact log: `audit` (was every rule kept?) and `trace` (one borrower's history).

`audit` prints one line per rule (contacts checked, violations found), then the first few violating
rows of each broken rule, and exits 1 when any rule was broken (2 when the audit could not run: no
database, a bad config, data the rules cannot read), so a CI job or an operator's script can gate
on it. A rule with a blind spot (contacts it cannot judge from its evidence, e.g. sent_once and
contacts without any provider receipt) gets a `note:` line with their count; the verdict is
unchanged. Output carries ids, never names, phones or e-mails. `trace` answers a complaint from the log;
only with --wording does it print message text (which carries the borrower's name).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Optional

import typer

from loan_comms.cli.common import ConfigOpt, DbOpt, NowOpt, book, fail, load_cfg, parse_now
from loan_comms.paths import DEFAULT_DB

app = typer.Typer()


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value.tzinfo else value.isoformat(" ")
    return str(value)


@app.command("audit")
def audit(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="DuckDB file to audit (opened read-only)."),
    config: Optional[Path] = ConfigOpt,
    show: int = typer.Option(5, "--show", min=0, help="Violating rows to show per broken rule."),
    now: Optional[str] = NowOpt("Judge 'nothing lost' as of this UTC instant "
                                "(default: the last moment the system acted on the log)."),
    require_checked: bool = typer.Option(False, "--require-checked",
                                         help="Also fail when a rule found no contact to check."),
) -> None:
    """Check every contact policy rule over the whole contact history (an independent reading in sql/audit)."""
    from loan_comms import db as dbm
    from loan_comms.audit.runner import run_audit
    from loan_comms.errors import DatabaseError

    at = parse_now(now, default_now=False)
    cfg = load_cfg(config)
    try:
        con = dbm.open_book(db, read_only=True)
    except DatabaseError as exc:  # here the audit could not run: exit 2, where other commands exit 1
        fail(str(exc))
    try:
        report = run_audit(con, cfg, now=at, show=show)
    finally:
        con.close()

    print_report(report, str(db), require_checked=require_checked)


def print_report(report: Any, what: str, *, require_checked: bool = False) -> None:
    """Print an audit report (AuditReport) of `what`; exit 1 when a rule was broken (or, with
    require_checked, found nothing to check). Shared by `audit` and `shards audit`."""
    typer.echo(f"Audit of {what} against policy {report.policy_version}, as of {_fmt(report.as_of)}")
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
    for rule in report.rules:
        if rule.blind_spot:
            typer.echo(f"note: {rule.name}: {rule.blind_spot}")
    if broken or (require_checked and idle):
        raise typer.Exit(1)


@app.command("trace")
def trace(borrower: str = typer.Option(..., "--borrower", help="The borrower_id to trace."),
          db: Path = DbOpt,
          wording: bool = typer.Option(False, "--wording", help="Also print each sent message's text "
                                       "(it carries the borrower's name: for complaint handling only).")) -> None:
    """One borrower's contact history: what was sent or held back, by which rule and policy version,
    in which template version, next to what the borrower did. Answers a complaint from the log."""
    from loan_comms import db as dbm

    with book(db, read_only=True) as con:
        _trace(con, dbm.rows(con, "ops/report/borrower_timeline", {"borrower_id": borrower}), borrower, db, wording)


def _trace(con: Any, rows: list[dict[str, Any]], borrower: str, db: Path, wording: bool) -> None:
    from loan_comms import db as dbm

    if not rows:
        fail(f"no borrower {borrower!r} with any history in {db}")
    for r in rows:
        local = r["at_local"].strftime("%Y-%m-%d %H:%M") if r["at_local"] else "-"
        if r["what"] == "event":
            typer.echo(f"{local} local  event    {r['detail']}  {r['channel'] or ''}  loan {r['loan_id'] or '-'}")
            continue
        why = f" ({r['reason']})" if r["reason"] else ""
        tmpl = f"  {r['template_id']}@{r['template_version']}" if r["template_id"] else ""
        arm = f"  experiment={r['arm']}" if r.get("arm") else ""
        typer.echo(f"{local} local  {r['channel']:<6}  {r['detail']:<20} {r['status']}{why}  "
                   f"rule={r['rule']}  policy={r['policy_version']}{tmpl}{arm}  loan {r['loan_id']}")
        if wording and r["status"] in ("sent", "delivered"):
            msg = dbm.run(con, "ops/report/message_wording", {"attempt_id": r["attempt_id"]}).fetchall()
            for subject, body in msg:
                typer.echo("        " + (f"[{subject}] " if subject else "") + (body or "").replace("\n", " ")[:300])
