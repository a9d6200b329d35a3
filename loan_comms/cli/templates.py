"""`loan-comms templates ...`: lint the template library and build the preview gallery."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from loan_comms.config import ConfigError, LifecycleConfig, load_config

if TYPE_CHECKING:
    from loan_comms.templating import TemplateStore

app = typer.Typer(help="Borrower message templates: lint and preview.", no_args_is_help=True)


def _load(config: Optional[Path], templates: Optional[Path]) -> tuple[LifecycleConfig, "TemplateStore"]:
    """Config and library; a bad config exits 2 with the config's own message (no traceback)."""
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    from loan_comms.templating import TemplateStore, templates_dir

    return cfg, TemplateStore.load(templates or templates_dir(cfg), cfg)


@app.command("lint")
def lint_cmd(
    config: Optional[Path] = typer.Option(None, "--config", help="lifecycle.toml to check against"),
    templates: Optional[Path] = typer.Option(None, "--templates", help="templates directory (default: from config)"),
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
    if any(p.is_error for p in problems):
        raise typer.Exit(1)


@app.command("preview")
def preview_cmd(
    out: Path = typer.Option(..., "--out", help="directory to write index.html into"),
    config: Optional[Path] = typer.Option(None, "--config", help="lifecycle.toml"),
    templates: Optional[Path] = typer.Option(None, "--templates", help="templates directory (default: from config)"),
) -> None:
    """Write a static gallery of every template rendered with the sample borrowers."""
    from loan_comms.templating.gallery import preview

    cfg, store = _load(config, templates)
    path = preview(out, store, cfg)
    typer.echo(f"Gallery of {len(store.templates)} templates written to {path}")
    typer.echo(f"Open file://{path.resolve()} in a browser.")
