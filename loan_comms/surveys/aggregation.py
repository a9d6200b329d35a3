"""The nightly feedback aggregation: survey answers and borrowers' replies into DuckDB tables.

    summary = aggregate(con)          # rebuilds every feedback_* table, returns headline numbers

Tables (each rebuilt whole by one file of sql/surveys/, in one transaction, so a re-run over the
same data leaves the same tables and a crash leaves yesterday's):
    feedback_responses       one row per survey that went out, its score and slices  aggregate_responses.sql
    feedback_slices          NPS / CSAT / response rate by programme, product, ...   aggregate_slices.sql
    feedback_weekly          the weekly trend per scale and programme                aggregate_weekly.sql
    feedback_theme_mentions  texts x complaint themes (no text)                      aggregate_themes.sql
    feedback_themes_weekly   complaint themes per week and source                    aggregate_themes.sql
Beside them, in the same nightly run, the repayment-arrangement tables (arrangement_stats_*: offers
taken, plans kept or broken, cure rate against the plain ladder, complaints and satisfaction on a
plan; loan_comms/arrangements/analytics.py), rebuilt whole the same way.
The headline numbers carry counts and rates only, never a comment or a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.arrangements import analytics as plan_stats
from loan_comms.surveys.themes import Themes, load_themes

TABLES = ("feedback_responses", "feedback_slices", "feedback_weekly", "feedback_theme_mentions",
          "feedback_themes_weekly")
_STEPS = ("surveys/aggregate_responses", "surveys/aggregate_slices", "surveys/aggregate_weekly")
_HIT_SCHEMA = pa.schema([("source", pa.string()), ("ref", pa.string()), ("week", pa.date32()),
                         ("theme", pa.string())])


@dataclass(frozen=True)
class Headline:
    """One scale's numbers over everything that went out."""

    scale: str
    invitations: int
    answers: int
    response_rate: float | None
    nps: float | None
    csat_mean: float | None


@dataclass(frozen=True)
class FeedbackSummary:
    headlines: tuple[Headline, ...]
    texts_read: int
    theme_counts: dict[str, int] = field(default_factory=dict)   # theme -> texts mentioning it
    themes_version: str = ""
    arrangements: plan_stats.ArrangementSummary | None = None   # None: the arrangement tables not built yet

    def markdown_lines(self) -> list[str]:
        """Headline numbers as markdown lines (counts and rates only: safe for an artifact)."""
        out = ["| scale | surveys sent | answers | response rate | NPS | CSAT mean |", "|---|---|---|---|---|---|"]
        for h in self.headlines:
            rate = "-" if h.response_rate is None else f"{h.response_rate:.1%}"
            nps = "-" if h.nps is None else f"{h.nps:+.1f}"
            csat = "-" if h.csat_mean is None else f"{h.csat_mean:.2f}"
            out.append(f"| {h.scale} | {h.invitations} | {h.answers} | {rate} | {nps} | {csat} |")
        if not self.headlines:
            out.append("| - | 0 | 0 | - | - | - |")
        out += ["", f"Complaint themes in {self.texts_read} comments and replies "
                    f"(dictionary version {self.themes_version}):", ""]
        out += [f"- {name}: {n}" for name, n in self.theme_counts.items()]
        if self.arrangements is not None:
            out += ["", *self.arrangements.markdown_lines()]
        return out


def tag_texts(con: duckdb.DuckDBPyConnection, themes: Themes) -> pa.Table:
    """One row per (text, theme it mentions), or (text, NULL) for a text that mentions none."""
    cur = db.run(con, "surveys/feedback_texts", {})
    cols: dict[str, list[Any]] = {"source": [], "ref": [], "week": [], "theme": []}
    while batch := cur.fetchmany(5000):
        for source, ref, week, _language, text in batch:
            for theme in themes.tag(text) or (None,):
                cols["source"].append(source)
                cols["ref"].append(ref)
                cols["week"].append(week)
                cols["theme"].append(theme)
    return pa.table(cols, schema=_HIT_SCHEMA)


def aggregate(con: duckdb.DuckDBPyConnection, themes: Themes | None = None) -> FeedbackSummary:
    """Rebuild every feedback_* table from survey_invitations, survey_answers, contact_attempts and
    borrower_events (replace-on-rerun) and return the headline numbers."""
    themes = themes or load_themes()
    hits = tag_texts(con, themes)
    with db.transaction(con):
        for name in _STEPS:
            db.run(con, name)
        db.temp_table(con, "_theme_hits", hits)
        db.run(con, "surveys/aggregate_themes")
        con.execute("DROP TABLE IF EXISTS temp._theme_hits")
    plan_stats.rebuild(con)     # its own transaction: the survey tables stand even if this one fails
    return summary(con, themes)


def summary(con: duckdb.DuckDBPyConnection, themes: Themes | None = None) -> FeedbackSummary:
    """The headline numbers from the feedback_* tables as they stand."""
    heads = tuple(Headline(r["scale"], int(r["invitations"]), int(r["answers"]),
                           _f(r["response_rate"]), _f(r["nps"]), _f(r["csat_mean"]))
                  for r in db.rows(con, "surveys/headline_numbers"))
    counts = {str(r["theme"]): int(r["texts"]) for r in db.rows(con, "surveys/theme_totals")}
    read = int(db.value(con, "surveys/texts_read") or 0)
    plans = plan_stats.summary(con) if plan_stats.built(con) else None
    return FeedbackSummary(heads, read, counts, themes.version if themes else "", plans)


def _f(v: Any) -> float | None:
    return None if v is None else float(v)
