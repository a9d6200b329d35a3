"""The nightly deployment `feedback-aggregate`: survey answers and borrowers' replies into the
feedback_* tables (NPS, CSAT, response rate by slice and week, complaint themes), then the
self-contained HTML report. The repayment-arrangement tables (arrangement_stats_*) are rebuilt in the
same run (loan_comms.surveys.aggregate calls loan_comms.arrangements.analytics.rebuild) and have their
section in the report and the artifact. Its markdown artifact carries the headline numbers and the
report's path: counts and rates only, never a comment or a reply."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from loan_comms.ops.run_lock import exclusive_run
from loan_comms.paths import DATA_DIR, DEFAULT_DB
from loan_comms.surveys import FeedbackSummary
from tasks.alerts import alert_on_failure
from tasks.feedback import aggregate_feedback

DEFAULT_REPORT = DATA_DIR / "feedback.html"


def feedback_markdown(summary: FeedbackSummary, report: str) -> str:
    return "\n".join(["# Borrower feedback", "", *summary.markdown_lines(), "",
                      f"Report: `{report}` (open it in a browser; it needs no network)."]) + "\n"


@flow(name="feedback-aggregate", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=1800)
def feedback_aggregate(db_path: str = str(DEFAULT_DB), report_path: str = str(DEFAULT_REPORT),
                       themes_path: str | None = None, lock_timeout_s: float = 1800,
                       config_path: str | None = None) -> dict:
    """Rebuild the feedback aggregates (each table replaced whole: a re-run changes nothing) and the report.

    Args:
        db_path: The DuckDB file of the loan book.
        report_path: Where to write the HTML report.
        themes_path: The complaint themes file. Empty: config/feedback_themes.toml.
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
        config_path: The lifecycle config (its [experiments].file gives the report's Experiments section).
    """
    logger = get_run_logger()
    with exclusive_run(db_path, "feedback-aggregate", timeout_s=lock_timeout_s, on_wait=logger.warning):
        summary, path = aggregate_feedback(db_path, report_path, themes_path, config_path)
    create_markdown_artifact(key="feedback-summary", markdown=feedback_markdown(summary, str(path)),
                             description="survey numbers and complaint themes (no personal data)")
    heads = {h.scale: h for h in summary.headlines}
    logger.info("feedback: %s; report %s", ", ".join(f"{s} {h.answers}/{h.invitations} answered" for s, h in heads.items())
                or "no surveys yet", path)
    return {"report": str(path), "texts_read": summary.texts_read, "themes": dict(summary.theme_counts),
            **{f"{s}_answers": h.answers for s, h in heads.items()},
            **{f"{s}_invitations": h.invitations for s, h in heads.items()},
            **({"nps": heads["nps"].nps} if "nps" in heads else {}),
            **({"csat_mean": heads["csat"].csat_mean} if "csat" in heads else {}),
            **(_plan_numbers(summary) if summary.arrangements else {})}


def _plan_numbers(summary: FeedbackSummary) -> dict:
    """The arrangement counts the flow returns (no ids)."""
    a = summary.arrangements
    assert a is not None
    plan, plain = a.cure_all("plan"), a.cure_all("plain_ladder")
    return {"plan_offers": a.funnel.offers, "plan_offers_taken": a.funnel.taken, "plans_kept": a.plans.kept,
            "plans_broken": a.plans.broken, "plans_active": a.plans.active,
            "cure_rate_plan": plan.cure_rate if plan else None, "cure_rate_plain_ladder": plain.cure_rate if plain else None}
