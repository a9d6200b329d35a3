"""The short human summary `make demo` ends with: what went out, per day, channel and step; then the
survey numbers (sent, answered, response rate, NPS, CSAT: counts and rates, never a comment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.surveys import FeedbackSummary


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in cols}
    head = "  ".join(c.rjust(widths[c]) for c in cols)
    body = ["  ".join(str(r[c]).rjust(widths[c]) for c in cols) for r in rows]
    return "\n".join([head, "  ".join("-" * widths[c] for c in cols), *body])


def print_demo_summary(con: duckdb.DuckDBPyConnection, db_path: Path, seconds: float) -> None:
    by_day = db.rows(con, "ops/report/sent_by_day_channel")
    print("\nContacts sent per day and channel (borrowers' local days):")
    print(_table(by_day, ["day", "sms", "email", "call", "letter", "visit", "suppressed", "failed"]))
    print("\nContacts sent by step and language:")
    print(_table(db.rows(con, "ops/report/sent_by_step_language"), ["purpose", "step", "zh_cn", "en", "no_text", "total"]))
    print("\nSuppressed by reason:")
    print(_table(db.rows(con, "ops/report/suppressed_by_reason"), ["reason", "contacts", "borrowers"]))
    print_handoff_summary(con)
    outbox = db.value(con, "ops/report/outbox_count")
    print(f"\n{outbox} messages are in the local outbox (table outbox_messages); nothing left this machine.")
    print(f"Database: {Path(db_path).resolve()}  (open it with duckdb; tables contact_attempts, "
          f"borrower_events, outbox_messages)")
    print(f"Finished in {seconds:.0f} s.")


def print_handoff_summary(con: duckdb.DuckDBPyConnection) -> None:
    """One line per partner: cases handed off at the end of the ladder, exported, waiting, recalled."""
    from loan_comms.handoff.export import handoff_counts

    counts = handoff_counts(con)
    if not counts:
        print("\nHand-offs to the partner: none (no loan reached the hand-off step)")
    for c in counts:
        print(f"\nHand-offs to {c['partner']}: {c['handed_off']} cases handed off at the end of the ladder, "
              f"{c['exported']} exported (case files, each case once), {c['waiting']} waiting for the export, "
              f"{c['recalled']} recalled; nothing more is sent about them (handed_off)")


def survey_rows(summary: FeedbackSummary) -> list[dict[str, Any]]:
    """One row per scale: sent, answered, response rate, NPS, CSAT mean ('-' where it does not apply)."""
    return [{"scale": h.scale, "sent": h.invitations, "answered": h.answers,
             "response_rate": "-" if h.response_rate is None else f"{h.response_rate:.1%}",
             "nps": "-" if h.nps is None else f"{h.nps:+.1f}",
             "csat": "-" if h.csat_mean is None else f"{h.csat_mean:.2f}"} for h in summary.headlines]


def print_survey_summary(summary: FeedbackSummary, report_path: Path) -> None:
    rows = survey_rows(summary)
    if rows:
        print("\nSurveys (all programmes, by scale):")
        print(_table(rows, ["scale", "sent", "answered", "response_rate", "nps", "csat"]))
    else:
        print("\nSurveys: none went out (no programme enabled or no borrower eligible).")
    if summary.theme_counts:
        print("Complaint themes in comments and replies: "
              + ", ".join(f"{name} {n}" for name, n in summary.theme_counts.items()))
    plans = summary.arrangements
    if plans is not None:
        f, p = plans.funnel, plans.plans
        print(f"Repayment plans: {f.offers} offers went out, {f.taken} taken, {f.pending_review} waiting for review, "
              f"{f.declined} declined; plans active {p.active}, kept {p.kept}, broken {p.broken}"
              f" (each plan's life: docs/arrangements.md; plans run for months: `loan-comms simulate --days 120`)")
    print(f"Feedback report: {Path(report_path).resolve()}  (open it in a browser; it needs no network)")
