"""The "Experiments" section of the HTML feedback report (loan_comms/surveys/report.py).

Per experiment: a plain HTML table with the arms side by side and their intervals (the same rows as the
markdown readout: ExperimentReadout.table), the verdict sentences, and a plotly chart of the arms'
rates with their intervals as error bars (plotly.js is already in the page). Every text that comes
from a file (experiment, arm and description) is HTML-escaped. Counts and rates only.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Sequence

import duckdb
import plotly.graph_objects as go

from loan_comms.config import LifecycleConfig
from loan_comms.experiments.config import ExperimentsFile
from loan_comms.experiments.readout import ExperimentReadout, default_as_of, readout
from loan_comms.experiments.stats import Estimate

_LAYOUT = {"template": "plotly_white", "height": 340, "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
           "yaxis": {"tickformat": ".0%", "rangemode": "tozero"}, "barmode": "group"}


def readouts_for_report(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | ExperimentsFile) -> list[ExperimentReadout]:
    """Every started experiment's readout as of the newest day planned (else today, UTC)."""
    return readout(con, cfg, default_as_of(con) or datetime.now(UTC).date())


def rates_chart(r: ExperimentReadout) -> go.Figure:
    """Cure, complaint and opt-out rates per arm, with their intervals as error bars."""
    fig = go.Figure()
    for a in r.arms:
        measures: list[tuple[str, Estimate | None]] = [("cure rate", a.cure_rate), ("complaints", a.rates["complaint"]),
                                                       ("opt-outs", a.rates["opt_out"])]
        shown = [(m, e) for m, e in measures if e is not None]
        fig.add_trace(go.Bar(name=a.name, x=[m for m, _ in shown], y=[e.value for _, e in shown],
                             error_y={"type": "data", "symmetric": False,
                                      "array": [e.high - e.value for _, e in shown],
                                      "arrayminus": [e.value - e.low for _, e in shown]}))
    fig.update_layout(title=f"{r.name}: rates per arm with {1 - r.alpha:.0%} intervals", **_LAYOUT)
    return fig


def _table(r: ExperimentReadout) -> str:
    header, rows = r.table()
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="experiment"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def experiments_section(readouts: Sequence[ExperimentReadout], *, charts: bool = True) -> str:
    """The section's HTML: a note when there is no experiment, else one block per experiment."""
    out = ['<h2 id="experiments">Experiments</h2>']
    if not readouts:
        out.append("<p>No experiment has started (config/experiments.toml, docs/experiments.md).</p>")
        return "\n".join(out)
    out.append("<p>Champion and challenger arms over a random, recorded share of borrowers; outcomes by the arm "
               "each borrower was drawn into. A difference whose interval holds 0 is reported as unchanged.</p>")
    for r in readouts:
        block = [f'<section class="experiment" data-experiment="{html.escape(r.name)}">',
                 f"<h3>{html.escape(r.name)}</h3>"]
        if r.description:
            block.append(f"<p>{html.escape(r.description)}</p>")
        block.append(f"<p>{html.escape(f'{r.start} to {r.end}; outcomes as of {r.as_of}.')}</p>")
        block.append(_table(r))
        block.append(f'<p class="note">{html.escape(r.sample_line())}</p>')
        block.append("<ul class=\"verdicts\">" + "".join(f"<li>{html.escape(v)}</li>" for v in r.verdicts) + "</ul>")
        if charts:
            block.append(rates_chart(r).to_html(full_html=False, include_plotlyjs=False,
                                                div_id=f"chart-experiment-{html.escape(r.name)}",
                                                config={"displaylogo": False, "responsive": True}))
        block.append("</section>")
        out.append("\n".join(block))
    return "\n".join(out)
