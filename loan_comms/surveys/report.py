"""The feedback report: one self-contained HTML file a product manager opens in a browser.

    write_report(con, "data/feedback.html")     # after aggregate(con); returns the path

Charts are drawn by plotly (the Python package builds the figures; plotly.js, ~4.6 MB, is embedded
once in the page with `include_plotlyjs=True`, so the file needs no network): NPS trend, CSAT by
last ladder step and by call team, satisfaction against contact intensity, complaint themes over
time, and a "Repayment arrangements" section (offers taken, plans kept or broken by option, cure
rate against the plain ladder, complaints and satisfaction on a plan: plan_section), and, when the
caller passes the readouts, an "Experiments" section (loan_comms/experiments/report.py). Why plotly: actively maintained (MIT, regular releases), interactive charts (hover for
counts) from plain Python lists without pandas, and a single offline bundle; it draws SVG, which a
headless browser test can see. The page holds numbers and slice names only: no comment, reply,
name or number.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Sequence

import duckdb
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from loan_comms import db
from loan_comms.arrangements import analytics as plan_stats
from loan_comms.experiments.readout import ExperimentReadout
from loan_comms.experiments.report import experiments_section
from loan_comms.surveys.aggregation import FeedbackSummary, summary
from loan_comms.surveys.themes import Themes, load_themes

CHARTS = ("nps-trend", "csat-by-step", "csat-by-team", "intensity", "themes")
PLAN_CHARTS = ("plan-offers", "plan-outcomes", "plan-cure", "plan-experience")   # the arrangements section
_LAYOUT: dict[str, Any] = {"template": "plotly_white", "height": 380, "margin": {"l": 60, "r": 30, "t": 60, "b": 60},
                           "font": {"family": "system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif"}}


def _empty(fig: go.Figure, text: str = "no answers yet") -> go.Figure:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font={"size": 16, "color": "#888"})
    return fig


def nps_trend(con: duckdb.DuckDBPyConnection) -> go.Figure:
    rows = db.rows(con, "surveys/report_nps_trend")
    fig = go.Figure()
    for programme in dict.fromkeys(r["programme"] for r in rows):
        mine = [r for r in rows if r["programme"] == programme]
        fig.add_trace(go.Scatter(
            x=[str(r["week"]) for r in mine], y=[r["nps"] for r in mine], mode="lines+markers",
            name="all NPS surveys" if programme == "all" else programme,
            line={"width": 4 if programme == "all" else 2}, customdata=[r["answers"] for r in mine],
            hovertemplate="week of %{x}<br>NPS %{y:+.1f}<br>%{customdata} answers<extra></extra>"))
    fig.update_layout(title="NPS by week (promoters % - detractors %)", xaxis_title="week (Monday) of the survey",
                      yaxis={"title": "NPS", "range": [-100, 100], "zeroline": True}, **_LAYOUT)
    return fig if rows else _empty(fig)


def csat_by(con: duckdb.DuckDBPyConnection, dimension: str, title: str, axis: str) -> go.Figure:
    rows = db.rows(con, "surveys/report_csat_by", {"dimension": dimension})
    fig = go.Figure(go.Bar(
        x=[r["value"] for r in rows], y=[r["csat_mean"] for r in rows],
        customdata=[[r["answers"], r["response_rate"] or 0] for r in rows],
        hovertemplate="%{x}<br>CSAT %{y:.2f}<br>%{customdata[0]} answers, %{customdata[1]:.0%} responded<extra></extra>",
        marker_color="#3b7dd8"))
    fig.update_layout(title=title, xaxis_title=axis, yaxis={"title": "CSAT mean (1-5)", "range": [0, 5]}, **_LAYOUT)
    return fig if any(r["answers"] for r in rows) else _empty(fig)


def intensity(con: duckdb.DuckDBPyConnection) -> go.Figure:
    rows = db.rows(con, "surveys/report_intensity")
    x = [r["intensity"] for r in rows]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=x, y=[r["nps"] for r in rows], name="NPS", marker_color="#6aa84f",
                         customdata=[r["nps_answers"] for r in rows],
                         hovertemplate="%{x} contacts<br>NPS %{y:+.1f}<br>%{customdata} answers<extra></extra>"),
                  secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=[r["csat_mean"] for r in rows], name="CSAT mean", mode="lines+markers",
                             marker_color="#cc4125", customdata=[r["csat_answers"] for r in rows],
                             hovertemplate="%{x} contacts<br>CSAT %{y:.2f}<br>%{customdata} answers<extra></extra>"),
                  secondary_y=True)
    fig.update_layout(title="Satisfaction against contact intensity (contacts in the 30 days before the survey)",
                      xaxis_title="contacts in the 30 days before", **_LAYOUT)
    fig.update_yaxes(title_text="NPS", range=[-100, 100], secondary_y=False)
    fig.update_yaxes(title_text="CSAT mean (1-5)", range=[0, 5], secondary_y=True)
    return fig if any(r["nps_answers"] or r["csat_answers"] for r in rows) else _empty(fig)


def themes_over_time(con: duckdb.DuckDBPyConnection, themes: Themes) -> go.Figure:
    rows = db.rows(con, "surveys/report_themes_weekly")
    fig = go.Figure()
    for name in themes.names:
        mine = [r for r in rows if r["theme"] == name]
        if mine:
            fig.add_trace(go.Bar(x=[str(r["week"]) for r in mine], y=[r["texts"] for r in mine],
                                 name=f"{themes.label(name, 'en')} / {themes.label(name, 'zh-CN')}",
                                 customdata=[r["texts_read"] for r in mine],
                                 hovertemplate="week of %{x}<br>%{y} of %{customdata} texts<extra></extra>"))
    fig.update_layout(title="Complaint themes by week (survey comments and SMS / e-mail replies)",
                      barmode="stack", xaxis_title="week (Monday)", yaxis_title="texts mentioning the theme",
                      **_LAYOUT)
    return fig if rows else _empty(fig)


_OUTCOME_COLOURS = {"taken": "#6aa84f", "pending_review": "#f1c232", "declined": "#cc4125", "unanswered": "#999999",
                    "open": "#cfe2f3", "kept": "#6aa84f", "active": "#3b7dd8", "broken": "#cc4125"}


def plan_offers(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """The offer funnel by offer-bearing step: taken, waiting for review, declined, unanswered, open."""
    rows = db.rows(con, "arrangements/stats_read_funnel", {"dimension": "step"})
    fig = go.Figure()
    for outcome in ("taken", "pending_review", "declined", "unanswered", "open"):
        fig.add_trace(go.Bar(x=[r["value"] for r in rows], y=[r[outcome] for r in rows],
                             name=outcome.replace("_", " "), marker_color=_OUTCOME_COLOURS[outcome],
                             customdata=[r["offers"] for r in rows],
                             hovertemplate="%{x}<br>%{y} of %{customdata} offers<extra>" + outcome + "</extra>"))
    fig.update_layout(title="Plan offers that went out, and what became of them", barmode="stack",
                      xaxis_title="offer-bearing contact", yaxis_title="offers", **_LAYOUT)
    return fig if rows else _empty(fig, "no plan offers yet")


def plan_outcomes(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """Accepted plans by option: kept, still active, broken (keep rate in the hover)."""
    rows = [r for r in db.rows(con, "arrangements/stats_read_plans", {"dimension": "option"}) if r["accepted"]]
    fig = go.Figure()
    for outcome in ("kept", "active", "broken"):
        fig.add_trace(go.Bar(x=[r["value"] for r in rows], y=[r[outcome] for r in rows], name=outcome,
                             marker_color=_OUTCOME_COLOURS[outcome],
                             customdata=[[r["accepted"], "-" if r["keep_rate"] is None else f"{r['keep_rate']:.0%}"]
                                         for r in rows],
                             hovertemplate="%{x}<br>%{y} of %{customdata[0]} plans<br>kept of those ended: "
                                           "%{customdata[1]}<extra>" + outcome + "</extra>"))
    fig.update_layout(title="Plans accepted, by option: kept, active, broken", barmode="stack",
                      xaxis_title="option", yaxis_title="plans", **_LAYOUT)
    return fig if rows else _empty(fig, "no plans yet")


def plan_cure(con: duckdb.DuckDBPyConnection, cure_days: int = plan_stats.CURE_DAYS) -> go.Figure:
    """Cure rate with a plan against the plain ladder per dpd band, the counts on every bar."""
    rows = db.rows(con, "arrangements/stats_read_cure")
    fig = go.Figure()
    for grp, colour in (("plan", "#6aa84f"), ("plain_ladder", "#999999")):
        mine = [r for r in rows if r["grp"] == grp]
        fig.add_trace(go.Bar(
            x=[r["band"] for r in mine],
            y=[r["cure_rate"] for r in mine], name=plan_stats.GROUP_LABELS[grp], marker_color=colour,
            text=[f"n={r['loans']}" for r in mine], textposition="outside",
            customdata=[[r["cured"], r["loans"], r["complete_windows"],
                         " (standardized to the plans' dpd bands)" if r["standardized"] else ""] for r in mine],
            hovertemplate="dpd %{x}<br>%{y:.0%} back to current%{customdata[3]}<br>%{customdata[0]} of "
                          "%{customdata[1]} loans (%{customdata[2]} windows complete)<extra></extra>"))
    fig.update_layout(title=f"Back to current within {cure_days} days: with a plan vs the plain ladder "
                            "(observational)", barmode="group", xaxis_title="days past due when the plan was agreed",
                      yaxis={"title": "share cured", "range": [0, 1.1], "tickformat": ".0%"}, **_LAYOUT)
    return fig if any(r["loans"] for r in rows) else _empty(fig, "no loans in arrears yet")


def plan_experience(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """Complaints per 100 borrowers, CSAT and NPS: on a plan vs in arrears without one."""
    rows = db.rows(con, "arrangements/stats_read_experience")
    labels = [plan_stats.GROUP_LABELS[r["grp"]] for r in rows]
    fig = make_subplots(rows=1, cols=3, subplot_titles=("complaints per 100 borrowers", "CSAT mean (1-5)",
                                                        "NPS"))
    colours = ["#6aa84f", "#999999"]
    for col, (key, n_key) in enumerate((("complaints_per_100", "borrowers"), ("csat_mean", "csat_answers"),
                                        ("nps", "nps_answers")), start=1):
        fig.add_trace(go.Bar(x=labels, y=[r[key] for r in rows], marker_color=colours[:len(rows)], showlegend=False,
                             text=[f"n={r[n_key]}" for r in rows], textposition="outside",
                             hovertemplate="%{x}<br>%{y}<br>%{text}<extra></extra>"), row=1, col=col)
    fig.update_layout(title="Complaints and satisfaction: borrowers on a plan vs in arrears without one", **_LAYOUT)
    return fig if any(r["borrowers"] for r in rows) else _empty(fig, "no borrowers in arrears yet")


def plan_section(con: duckdb.DuckDBPyConnection) -> str:
    """The "Repayment arrangements" section: headline sentences and four charts (plotly.js already
    in the page). Numbers, steps, options and products only. Empty tables (not built): a note."""
    if not plan_stats.built(con):
        return ('<h2 id="arrangements">Repayment arrangements</h2><p>Not built yet: run the feedback aggregate '
                "(it rebuilds the arrangement tables).</p>")
    s = plan_stats.summary(con)
    f, p = s.funnel, s.plans
    plan, plain = s.cure_all("plan"), s.cure_all("plain_ladder")
    rate, keep = _share(f.take_rate), _share(p.keep_rate)
    kpis = [(f"{f.taken} of {f.offers}", f"plan offers taken ({rate}); {f.declined} declined by a reviewer, "
                                         f"{f.unanswered} unanswered"),
            (f"{p.kept} kept / {p.broken} broken", f"of {p.accepted} plans accepted ({p.active} active; "
                                                   f"kept of those ended: {keep})")]
    if plan is not None and plain is not None:
        kpis.append((f"{_share(plan.cure_rate)} vs {_share(plain.cure_rate)}",
                     f"back to current within {s.cure_days} days: with a plan (n={plan.loans}) vs the plain "
                     f"ladder (n={plain.loans}, standardized to the plans' dpd bands)"))
    cells = "".join(f'<div class="kpi"><b>{html.escape(big)}</b><span>{html.escape(small)}</span></div>'
                    for big, small in kpis)
    figs = {"plan-offers": plan_offers(con), "plan-outcomes": plan_outcomes(con), "plan-cure": plan_cure(con, s.cure_days),
            "plan-experience": plan_experience(con)}
    charts = "\n".join(
        f'<section class="chart plan" data-chart="{key}">'
        + fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{key}",
                      config={"displaylogo": False, "responsive": True}) + "</section>"
        for key, fig in figs.items())
    return (f'<h2 id="arrangements">Repayment arrangements</h2>\n<p>Plans offered to borrowers in hardship, taken '
            f"without a phone call or agreed with an agent, and how they went (data up to {s.horizon}).</p>\n"
            f'<section class="kpis">{cells}</section>\n{charts}\n'
            f'<p class="note">The cure comparison is observational, not an experiment: who gets a plan is not '
            f"random (they asked for help, or their profile offers forbearance first), so a difference is an "
            f"association. Loans are compared within the same days-past-due band and the counts are shown with "
            f"every rate; a plan replaces the contractual payments, so a loan on a plan that is still on track is "
            f"not yet current (see sql/arrangements/stats_cure.sql).</p>")


def _share(v: float | None) -> str:
    return "-" if v is None else f"{v:.0%}"


def _headline_html(s: FeedbackSummary) -> str:
    cells = []
    for h in s.headlines:
        main = (f"NPS {h.nps:+.1f}" if h.nps is not None else f"CSAT {h.csat_mean:.2f}" if h.csat_mean is not None
                else "no answers")
        rate = "-" if h.response_rate is None else f"{h.response_rate:.1%}"
        cells.append(f'<div class="kpi"><b>{html.escape(main)}</b><span>{h.scale.upper()}: {h.answers} answers '
                     f'of {h.invitations} sent ({rate})</span></div>')
    return "".join(cells) or '<div class="kpi"><b>no surveys yet</b></div>'


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Borrower feedback report</title>
<style>
 body {{ font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif; margin: 0 auto; max-width: 1100px;
        padding: 1rem; color: #222; }}
 .kpis {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
 .kpi {{ border: 1px solid #ddd; border-radius: 8px; padding: .8rem 1.2rem; }}
 .kpi b {{ display: block; font-size: 1.6rem; }}
 .chart {{ margin: 1.5rem 0; border-top: 1px solid #eee; }}
 .note {{ color: #555; font-size: .9rem; }}
 table.experiment {{ border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }}
 table.experiment th, table.experiment td {{ border: 1px solid #ddd; padding: .25rem .5rem; text-align: right; }}
 table.experiment td:first-child {{ text-align: left; }}
 footer {{ color: #777; font-size: .85rem; }}
</style></head>
<body>
<h1>Borrower feedback</h1>
<p>Surveys that went out, their answers, and what borrowers complain about. Built {built} from {db}.</p>
<section class="kpis">{kpis}</section>
{charts}
{plans}
{experiments}
<footer>NPS = % promoters (9-10) - % detractors (0-6) of the answers; CSAT is the mean of 1-5 answers.
Weeks are the surveys' planning weeks. Complaint themes: dictionary version {themes_version}
(config/feedback_themes.toml). No comment or reply text is in this page.</footer>
</body></html>
"""


def render_report(con: duckdb.DuckDBPyConnection, *, source: str = "", themes: Themes | None = None,
                  now: datetime | None = None, experiments: Sequence[ExperimentReadout] | None = None) -> str:
    """The report's HTML from the feedback_* tables (run aggregate() first). `experiments`: the readouts
    of the "Experiments" section (loan_comms/experiments/report.py); None leaves the section out."""
    themes = themes or load_themes()
    figs = {"nps-trend": nps_trend(con),
            "csat-by-step": csat_by(con, "last_step", "CSAT by last ladder step before the survey", "last step"),
            "csat-by-team": csat_by(con, "team", "CSAT by call team", "team"),
            "intensity": intensity(con),
            "themes": themes_over_time(con, themes)}
    parts = []
    for i, (key, fig) in enumerate(figs.items()):
        div = fig.to_html(full_html=False, include_plotlyjs=(i == 0), div_id=f"chart-{key}",
                          config={"displaylogo": False, "responsive": True})
        parts.append(f'<section class="chart" data-chart="{key}">{div}</section>')
    built = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return _PAGE.format(built=built, db=html.escape(Path(source).name if source else "the database"),
                        kpis=_headline_html(summary(con, themes)), charts="\n".join(parts), plans=plan_section(con),
                        experiments="" if experiments is None else experiments_section(experiments),
                        themes_version=themes.version)


def write_report(con: duckdb.DuckDBPyConnection, out: str | Path, *, source: str = "",
                 themes: Themes | None = None, experiments: Sequence[ExperimentReadout] | None = None) -> Path:
    """Write the report to `out` (parent folders created; written aside then renamed, so a reader
    never sees half a file). Returns the path."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(render_report(con, source=source, themes=themes, experiments=experiments), encoding="utf-8")
    tmp.replace(path)
    return path
