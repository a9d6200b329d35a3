"""`feedback-report`: rebuild the feedback aggregates (NPS, CSAT, response rate, complaint themes)
in the database and write the self-contained HTML report. Prints the headline numbers (counts and
rates, never a comment or a reply) and where the report is."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, DbOpt, book, load_cfg
from loan_comms.paths import DATA_DIR

app = typer.Typer()


@app.command("feedback-report")
def feedback_report(
    db: Path = DbOpt,
    out: Path = typer.Option(DATA_DIR / "feedback.html", "--out", help="Where to write the HTML report."),
    themes: Optional[Path] = typer.Option(None, "--themes",
                                          help="Complaint themes file (default config/feedback_themes.toml)."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Aggregate the survey answers and replies (replacing the feedback_* tables) and write the report."""
    from loan_comms.experiments.report import readouts_for_report
    from loan_comms.surveys import aggregate, load_themes, write_report

    dictionary = load_themes(themes)          # a bad file: one line, exit 2, before the database is touched
    cfg = load_cfg(config)                    # with its experiments file: the report's Experiments section
    with book(db, "feedback-report (CLI)") as con:
        summary = aggregate(con, dictionary)
        experiments = readouts_for_report(con, cfg)
        path = write_report(con, out, source=str(db), themes=dictionary, experiments=experiments)
    for line in summary.markdown_lines():
        typer.echo(line)
    typer.echo(f"report: {path}")
