"""Simulated borrowers take the repayment plans offered to them, and keep or break them.

    choose_plans(con, cfg, as_of, seed, day_dir, now=...)    # who takes an offer made on as_of, and how
    review_plans(con, cfg, seed, now=...)                   # a reviewer decides the requests that need one
    schedule_plan_payments(con, seed, now=...)              # what those on a plan will pay, into payment_feed

Choices arrive the way real ones do, through the production intake (nothing here writes a plan):
- on the page: the page server's file format, one JSON object per line in
  <day_dir>/arrangement_choices.jsonl ({"token", "option_no", "chosen_at", "source": "web",
  "external_id"}), landed by loan_comms.arrangements.intake.ingest_arrangement_choices;
- by the SMS menu: a Twilio inbound SMS ("1", "选1", "2") from the number the offer went to, in
  <day_dir>/plan_sms.jsonl (the simulator's inbound SMS format, like survey_sms.jsonl), landed by
  the normal reply ingestion, whose menu hook (loan_comms.arrangements.sms_menu) takes it.
The simulator stands in for the page server, so its file is landed as the page's own (trusted_web).
A request outside the automatic rules waits for a person: the simulated reviewer
(loan_comms.arrangements.reviews) decides each 0-2 days after it was made, approving
seven in ten and declining the rest with a reason, so the declined path and its re-offer show too.

Who takes what is drawn in SQL (sql/simulation/plan_choices.sql): those who asked for help take
their offer more often. Payments (sql/simulation/schedule_plan_payments.sql): 70% keep their plan,
paying each plan installment on or a day or two before its date; the rest pay the first few and
stop, so the demo shows plans kept and broken. Draws hash (seed, offer) or (seed, plan): a replay
writes the same files and lands nothing new. Nothing here logs a number, a name or a token.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.arrangements import reviews
from loan_comms.arrangements.intake import ingest_arrangement_choices
from loan_comms.config import LifecycleConfig
from loan_comms.inbound.replies import ingest_replies

CHOICES_FILE = "arrangement_choices.jsonl"
SMS_FILE = "plan_sms.jsonl"
REVIEWER = "sim-reviewer"
DECLINE_REASON = "The payment asked for is below what the income you told us can support; please pick another option."


@dataclass
class PlanChoiceReport:
    """What the simulated borrowers chose on a day (counts and the landings' summaries only)."""

    web: int = 0
    sms: int = 0
    landed_web: str = ""
    landed_sms: str = ""

    def __str__(self) -> str:
        if not (self.web or self.sms):
            return "plans: no offer taken"
        return (f"plans: {self.web} chosen on the page ({self.landed_web or 'none'}), "
                f"{self.sms} by SMS menu ({self.landed_sms or 'none'})")


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def plan_choices(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, seed: int,
                 now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The day's choices as the page's records and as Twilio inbound SMS rows: (web, sms)."""
    drawn = db.rows(con, "simulation/plan_choices", {"as_of": as_of, "seed": seed, "deadline": now,
                                                     "sms_menu_options": cfg.arrangements.sms_menu_options})
    web = [{"token": r["token"], "option_no": r["option_no"], "chosen_at": r["chosen_at"].isoformat(),
            "source": "web", "external_id": r["external_id"]} for r in drawn if r["route"] == "web"]
    sms = [{"From": r["From"], "Body": r["body"], "MessageSid": r["external_id"],
            "DateSent": r["chosen_at"].isoformat()} for r in drawn if r["route"] == "sms"]
    return web, sms


def choose_plans(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, seed: int,
                 day_dir: Path, now: datetime) -> PlanChoiceReport:
    """Take the offers made on `as_of` (files in day_dir, landed at `now`). Replay-safe."""
    web, sms = plan_choices(con, cfg, as_of, seed, now)
    report = PlanChoiceReport(web=len(web), sms=len(sms))
    if web:
        path = _write_jsonl(Path(day_dir) / CHOICES_FILE, web)
        report.landed_web = str(ingest_arrangement_choices(con, cfg, path, now=now, trusted_web=True))
    if sms:   # the normal reply ingestion; its SMS menu hook lands the picks
        path = _write_jsonl(Path(day_dir) / SMS_FILE, sms)
        report.landed_sms = str(ingest_replies(con, cfg, path, now=now))
    return report


def review_plans(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, seed: int, now: datetime) -> str:
    """The plan reviewer's day: each pending request is decided once `now` is 0-2 days (drawn) past
    its request, approved 7 times in 10, else declined with a reason. Replay-safe: a decided request
    is no longer pending."""
    approved = declined = 0
    for request in reviews.pending(con, cfg, now):
        draw = int(hashlib.sha256(f"{seed}:{request.arrangement_id}:plan-review".encode()).hexdigest(), 16)
        if now < request.requested_at + timedelta(days=draw % 3):
            continue
        if (draw // 3) % 10 < 7:
            try:
                reviews.approve(con, request.arrangement_id, REVIEWER, now, cfg=cfg)
                approved += 1
            except reviews.ArrangementReviewError:   # nothing left to plan (paid meanwhile): a person declines
                reviews.decline(con, request.arrangement_id, REVIEWER, DECLINE_REASON, now)
                declined += 1
                continue
        else:
            reviews.decline(con, request.arrangement_id, REVIEWER, DECLINE_REASON, now)
            declined += 1
    return f"plan reviews: {approved} approved, {declined} declined"


def schedule_plan_payments(con: duckdb.DuckDBPyConnection, seed: int, *, now: datetime) -> int:
    """Add the payments of every plan accepted by `now` to the payment feed, keepers and breakers
    (sql/simulation/schedule_plan_payments.sql). Returns how many were added (0 on a replay)."""
    with db.transaction(con):
        return db.changed(con, "simulation/schedule_plan_payments", {"seed": seed, "now": now})
