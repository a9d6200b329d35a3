"""`loan-comms templates ...`: lint the template library, build the preview gallery, and report
which template versions went out and who wrote and approved each (`versions`, read from the book).

A sub-app (the only one): mounted as `templates` by the main app, and also run on its own by tests,
so it reports errors the same way (`ReportingGroup`: a bad config is one line, exit 2).
"""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from loan_comms.cli.common import ConfigOpt, DayOpt, DbOpt, book, load_cfg
from loan_comms.cli.errors import ReportingGroup

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig
    from loan_comms.templating import TemplateStore

app = typer.Typer(help="Borrower message templates: lint, preview, and the versions that went out.",
                  no_args_is_help=True, cls=ReportingGroup)

TemplatesOpt = typer.Option(None, "--templates", help="templates directory (default: from config)")


def _load(config: Optional[Path], templates: Optional[Path]) -> tuple["LifecycleConfig", "TemplateStore"]:
    """Config and library; a bad config raises ConfigError (one line, exit 2, no traceback)."""
    cfg = load_cfg(config)
    from loan_comms.templating import TemplateStore, templates_dir

    return cfg, TemplateStore.load(templates or templates_dir(cfg), cfg)


@app.command("lint")
def lint_cmd(
    config: Optional[Path] = ConfigOpt,
    templates: Optional[Path] = TemplatesOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="show errors only"),
) -> None:
    """Check every template; one line per problem with file, line and fix. Exit 1 on any error."""
    from loan_comms.templating.lint import lint, summary

    cfg, store = _load(config, templates)
    problems = lint(store, cfg)
    shown = [p for p in problems if p.is_error] if quiet else problems
    for p in shown:
        typer.echo(str(p))
    typer.echo(summary(store, problems))
    if templates is None:
        _say_where(cfg, store.dir)
    if any(p.is_error for p in problems):
        raise typer.Exit(1)


def _say_where(cfg: "LifecycleConfig", linted: Path) -> None:
    """Once the studio publishes, the run reads its release, not templates/: say which was linted, and
    what in templates/ the run does not see."""
    from loan_comms.templating.releases import differing_templates
    from loan_comms.templating.store import repository_templates_dir

    repo = repository_templates_dir(cfg)
    if linted.resolve() == repo.resolve():
        return
    typer.echo(f"linted the studio's published release {linted.name} (what the daily run reads)")
    differ = differing_templates(linted, repo)
    if differ:
        typer.echo(f"WARNING {repo.name}/ differs from the published release in {len(differ)} template(s) "
                   f"({', '.join(differ[:8])}{', ...' if len(differ) > 8 else ''}): the run does not read them; "
                   "publish them with `loan-comms studio import --by NAME`, or write the release to "
                   "templates/ with `loan-comms studio export --out templates`")


@app.command("preview")
def preview_cmd(
    out: Path = typer.Option(..., "--out", help="directory to write index.html into"),
    config: Optional[Path] = ConfigOpt,
    templates: Optional[Path] = TemplatesOpt,
) -> None:
    """Write a static gallery of every template rendered with the sample borrowers."""
    from loan_comms.templating.gallery import preview

    cfg, store = _load(config, templates)
    path = preview(out, store, cfg)
    typer.echo(f"Gallery of {len(store.templates)} templates written to {path}")
    typer.echo(f"Open file://{path.resolve()} in a browser.")


@app.command("versions")
def versions_cmd(
    db: Path = DbOpt,
    since: Optional[date] = DayOpt(None, "--since", help="Only contacts planned for this day or later."),
) -> None:
    """One row per template version that went out: how many contacts, their first and last day, and
    who wrote and approved the wording (a repository wording's history is git's). Opens the book read-only."""
    from loan_comms import db as dbm

    with book(db, read_only=True) as con:
        rows = dbm.rows(con, "templating/versions_sent", {"since": since})
    if not rows:
        typer.echo(f"No contact with a template version went out{f' since {since}' if since else ''}.")
        return
    header = ("template", "version", "contacts", "first", "last", "source", "author", "reviewer", "approved_at",
              "approvals")
    table = [header] + [_version_row(r) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    unknown = sum(1 for r in rows if r["source"] is None)
    if unknown:
        typer.echo(f"{unknown} version(s) are not in the registry: run `loan-comms audit` "
                   "(rule template_versions_approved)")


def _version_row(r: dict[str, Any]) -> tuple[str, ...]:
    """A report row as text: a repository wording says so (its authors are in git), an unknown one too."""
    source = {"repository": "repository (git)", None: "UNREGISTERED"}.get(r["source"], str(r["source"]))
    approved = r["approved_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%MZ") if r["approved_at"] else "-"
    return (r["template_id"], r["template_version"], f"{r['contacts']:,}", r["first_day"].isoformat(),
            r["last_day"].isoformat(), source, r["author"] or "-", r["reviewer"] or "-", approved,
            r["approvals"] or "-")
