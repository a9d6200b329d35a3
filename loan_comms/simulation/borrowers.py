"""Borrower behaviour for the simulator: what people do after a day's contacts.

The simulator replaces only the clock and the borrowers. Their reactions arrive the way real ones
do, as files in the production formats (Twilio inbound SMS, SendGrid events for unsubscribes, the
dialer's export with one row per dial attempt, the field team's visit reports, the operator event
file with every kind of loan_comms/policy/kinds.py, reassigned-numbers answers, new numbers verified
after a wrong one, the payment feed, survey answers: survey_answers.py, repayment plans chosen on the
page or by SMS menu and their payments: arrangements.py) and go through the same ingestion code. Draws are hash-based
on (seed, contact) or (seed, number), so a seed gives the same history every time. SMS replies are
free text: SQL draws what a borrower means (sql/simulation/sms_replies.sql), the phrase bank
(phrases.py) words it, so the simulation exercises the reply classifier as real replies would.
E-mail replies arrive as .eml files quoting our message, and a reviewer works the review queue,
some items only after their deadline. How hard the lender pushes matters (response.py, an assumed
curve): a delinquent borrower contacted on a day pays with a chance that rises with the contacts of
the last 7 days up to 3, then falls (sql/simulation/contact_payments.sql), and complaints and
opt-outs grow with them, so a strategy experiment that contacts less can cure as many loans.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.inbound.contact_points import import_contact_points, ingest_reassigned_numbers
from loan_comms.inbound.email_ingest import ingest_email_replies
from loan_comms.inbound.events import ingest_call_outcomes, ingest_operator_events
from loan_comms.inbound.receipts import ingest_receipts
from loan_comms.inbound.replies import ingest_replies
from loan_comms.inbound.reviews import RESOLVABLE, ReviewError, open_reviews, resolve_review
from loan_comms.inbound.visits import ingest_visit_outcomes
from loan_comms.simulation.arrangements import choose_plans, review_plans, schedule_plan_payments
from loan_comms.simulation.phrases import draw
from loan_comms.simulation.response import RESPONSE, ResponseModel
from loan_comms.simulation.survey_answers import answer_surveys


@dataclass
class BehaviourReport:
    as_of: date
    replies: str = ""
    email_replies: str = ""
    reviews: str = ""
    calls: str = ""
    visits: str = ""
    email_events: str = ""
    operator: str = ""
    reassigned: str = ""
    new_numbers: str = ""
    promised_payments: int = 0
    surveys: str = ""
    plans: str = ""
    plan_payments: int = 0
    contact_payments: int = 0

    def __str__(self) -> str:
        return (f"{self.as_of} behaviour: {self.replies}; {self.email_replies}; {self.reviews}; {self.calls}; {self.visits}; {self.email_events}; {self.operator}; "
                f"{self.reassigned}; {self.new_numbers}; {self.promised_payments} promised payments scheduled; "
                f"{self.contact_payments} contact-driven payments scheduled"
                + (f"; {self.surveys}" if self.surveys else "")
                + (f"; {self.plans}; {self.plan_payments} plan payments scheduled" if self.plans else ""))


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, default=str, ensure_ascii=False) + "\n")
    return path


def report_visits(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, seed: int,
                  workdir: Path, *, answers: bool = True) -> str:
    """The field team's reports of the visits made on `as_of` (by the pair the visit plan assigned, in
    the visit's slot, with an evidence reference; a few cancelled with a reason), filed the next
    day through the production ingestion (`ingest-visit-outcomes`); the file lands in
    workdir/<day>/field_visits.jsonl. The simulator calls it with the rest of the day's behaviour;
    the demo, which has no borrowers reacting, still has a field team, so every visit is recorded
    (answers=False: its reports are filed after its days have run, so no promise or hardship told
    at the door, which would rewrite those days)."""
    end_of_day = datetime.combine(as_of + timedelta(days=1), time(12), tzinfo=UTC)
    visits = db.rows(con, "simulation/visit_outcomes", {"as_of": as_of, "seed": seed, "answers": answers})
    return str(ingest_visit_outcomes(con, _write_jsonl(Path(workdir) / as_of.isoformat() / "field_visits.jsonl", visits),
                                     now=end_of_day, min_collectors=cfg.visits.min_collectors))


_QUOTED = {
    "en": ("On {when}, Lender Collections <collections@lender.example> wrote:\n"
           "> Your payment is due soon. Pay at https://pay.example.com/l/...\n"
           "> To stop these emails, reply UNSUBSCRIBE to this message.\n"),
    "zh": ("在 {when}，Lender Collections <collections@lender.example> 写道：\n"
           "> 您的还款即将到期。\n"
           "> 如不想再收到此类邮件，请直接回复“退订”。\n"),
}


def _write_emails(folder: Path, rows: list[dict[str, Any]], as_of: date) -> Path:
    """Each simulated e-mail reply as a .eml file, the way a mail client sends one: the borrower's new
    words (from the phrase bank) above our quoted message, whose footer says "reply UNSUBSCRIBE", so
    only a reader that cuts the quote gets them right."""
    folder.mkdir(parents=True, exist_ok=True)
    for r in rows:
        msg = EmailMessage()
        msg["From"] = r["address"]
        msg["To"] = "collections@lender.example"
        msg["Subject"] = "Re: " + ("还款提醒" if r["language"] == "zh" else "Your payment")
        msg["Date"] = format_datetime(r["occurred_at"])
        msg["Message-ID"] = f"<sim-{r['attempt_id']}@borrower.example>"
        words = draw(r["intent"], r["language"], r["key"], as_of)
        msg.set_content(f"{words}\n\n" + _QUOTED[r["language"]].format(when=f"{as_of:%Y-%m-%d}"))
        (folder / f"{r['attempt_id']}.eml").write_bytes(bytes(msg))
    return folder


def review_queue(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, seed: int, now: datetime) -> str:
    """The reviewer's day: each open item is resolved 0-4 days after it opened (a hash draw on the
    item), so some wait past their deadline (2 business days) and the policy's overdue rule is
    exercised. The reviewer applies the first candidate intent the queue proposes (a promise is
    recorded by an agent, not here: nothing), or nothing for a question. Re-running a day resolves
    the same items on the same days; one resolved already is skipped."""
    resolved = skipped = 0
    for item in open_reviews(con, now):
        wait = int(hashlib.sha256(f"{seed}:{item.review_id}:review".encode()).hexdigest(), 16) % 5
        if now < item.opened_at + timedelta(days=wait):
            continue
        first = next((c for c in item.candidate_intents if c in RESOLVABLE and c != "question"), None)
        try:
            resolve_review(con, item.review_id, [first] if first else [], by="sim-reviewer", now=now, cfg=cfg)
            resolved += 1
        except ReviewError:
            skipped += 1
    return f"{resolved} review items resolved" + (f" ({skipped} already resolved)" if skipped else "")


def take_plans(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, seed: int,
               workdir: Path) -> tuple[str, int]:
    """Borrowers take the repayment plans offered to them on `as_of` (the page's file, an SMS menu reply),
    the plan reviewer decides the requests that need a person, and those on a plan pay it or break it
    (the payment feed): (report line, plan payments scheduled). Part of every simulated day; the demo,
    whose borrowers otherwise do not react, runs it alone each day so it shows borrowers coming back onto
    a plan. Landed at noon UTC the next day, like every simulated reaction. Replay-safe."""
    end_of_day = datetime.combine(as_of + timedelta(days=1), time(12), tzinfo=UTC)
    day_dir = Path(workdir) / as_of.isoformat()
    line = f"{choose_plans(con, cfg, as_of, seed, day_dir, end_of_day)}; {review_plans(con, cfg, seed, end_of_day)}"
    return line, schedule_plan_payments(con, seed, now=end_of_day)


def draw_behaviour(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, seed: int,
                   workdir: Path, *, response: ResponseModel = RESPONSE) -> BehaviourReport:
    """React to the contacts made on `as_of`; files land in workdir/<day>/ for inspection.

    Every ingestion gets the simulated instant (noon UTC the next day, after every local day
    `as_of` has ended) as its "now", so rows stamped with simulated times are never refused as
    being in the future of the wall clock. `response` is the contact-intensity curve the draws of
    payments, complaints and opt-outs follow. Contact-driven payments are drawn last, after the
    day's kept promises are in the feed (a loan already paying is not paid twice)."""
    params = {"as_of": as_of, "seed": seed, **response.params()}
    day_dir = Path(workdir) / as_of.isoformat()
    end_of_day = datetime.combine(as_of + timedelta(days=1), time(12), tzinfo=UTC)
    report = BehaviourReport(as_of)

    replies = [{"From": r["From"], "Body": draw(r["intent"], r["language"], r["key"], r["sent_on"]),
                "MessageSid": r["MessageSid"], "DateSent": r["occurred_at"].isoformat()}
               for r in db.rows(con, "simulation/sms_replies", params)]
    report.replies = str(ingest_replies(con, cfg, _write_jsonl(day_dir / "inbound_sms.jsonl", replies),
                                        now=end_of_day))
    emails = db.rows(con, "simulation/email_replies", params)
    report.email_replies = (str(ingest_email_replies(con, cfg, _write_emails(day_dir / "email_replies", emails, as_of),
                                                     now=end_of_day)) if emails else "no e-mail replies")
    report.surveys = str(answer_surveys(con, cfg, as_of, seed, day_dir, now=end_of_day))
    report.plans, report.plan_payments = take_plans(con, cfg, as_of, seed, workdir)
    report.reviews = review_queue(con, cfg, seed, end_of_day)
    calls = db.rows(con, "simulation/call_outcomes", params)
    report.calls = str(ingest_call_outcomes(con, _write_jsonl(day_dir / "dialer.jsonl", calls), now=end_of_day))
    report.visits = report_visits(con, cfg, as_of, seed, workdir)
    unsubscribes = db.rows(con, "simulation/email_unsubscribes", params)
    report.email_events = str(ingest_receipts(con, _write_jsonl(day_dir / "email_events.jsonl", unsubscribes),
                                              now=end_of_day))
    ops = db.rows(con, "simulation/operator_events", params)
    report.operator = str(ingest_operator_events(con, _write_jsonl(day_dir / "operator_events.jsonl", ops),
                                                 now=end_of_day))
    reassigned = db.rows(con, "simulation/reassigned_numbers", params)
    report.reassigned = str(ingest_reassigned_numbers(con, _write_jsonl(day_dir / "reassigned_numbers.jsonl", reassigned),
                                                      now=end_of_day))
    new_numbers = db.rows(con, "simulation/new_numbers", params)
    report.new_numbers = str(import_contact_points(con, _write_jsonl(day_dir / "new_numbers.jsonl", new_numbers),
                                                   now=end_of_day))
    with db.transaction(con):
        report.promised_payments = db.changed(con, "simulation/schedule_kept_promises", params)
        report.contact_payments = db.changed(con, "simulation/contact_payments", params)
    return report
