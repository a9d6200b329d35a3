"""Issue 12, done when: each reply the issue lists is understood with the right intent AND the right
action, end to end with the real classifier (config/replies.toml): the reply file is ingested as
Twilio posts it, the events are recorded, and the next day's plan holds back what the borrower
asked us to stop. And an e-mail reply "UNSUBSCRIBE", quoting our message, stops e-mail.

Each reply comes from its own borrower's number, so one reply's effect cannot hide another's."""

from __future__ import annotations

import json
from datetime import date
from email.message import EmailMessage

import pytest

from loan_comms.inbound import ingest_replies
from loan_comms.inbound.email_ingest import ingest_email_replies
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book

ALL = {"sms", "email", "call", "visit"}

# reply -> (the events it records: kind -> channels (None: a kind without channel), what tomorrow's
# plan suppresses for the borrower: (step, channel) -> reason; None: nothing checked there)
ISSUE_REPLIES: list[tuple[str, dict[str, set[str] | None]]] = [
    ("Stop texting me", {"opt_out": {"sms"}}),
    ("unsubscribe please", {"opt_out": {"sms"}}),
    ("请不要再给我发短信了", {"opt_out": {"sms"}}),
    ("Not my loan, stop texting me", {"opt_out": {"sms"}, "dispute": None}),
    ("我失业了，暂时还不上，能不能分期还？", {"hardship_request": None}),
    ("Opt-out", {"opt_out": {"sms"}}),
    ("STOP ALL", {"opt_out": ALL}),
    ("STOPALL", {"opt_out": ALL}),
    ("回复TD退订", {"opt_out": {"sms"}}),
    ("wrong number", {"wrong_number": None}),
    ("不要再打了", {"opt_out": {"call"}}),
    ("别发了", {"opt_out": {"sms"}}),
    ("下周五还500", {"promise_to_pay": None}),
    ("I'll pay 300 on the 5th", {"promise_to_pay": None}),
    ("别再联系我", {"opt_out": ALL}),
    ("don't stop my autopay", {}),
]


def _book(book: Book, n: int) -> list[str]:
    """n borrowers (cn profile, Shanghai), each with a loan 1 day past due on 2 Nov and one due on 5 Nov
    (so 2 Nov plans a collection SMS (dpd_1) and reminders by SMS and e-mail (pre_due_3))."""
    ids = []
    for i in range(n):
        b = f"B{i:03d}"
        book.borrower(b)
        book.loan(f"L{i:03d}", b, [("2026-11-01", "100.00")])
        book.loan(f"M{i:03d}", b, [("2026-11-05", "100.00")])
        ids.append(b)
    return ids


def _events(book: Book, borrower_id: str) -> dict[str, set[str]]:
    rows = book.con.execute("SELECT kind, channel FROM borrower_events WHERE borrower_id = ? AND kind <> 'sms_reply'",
                            [borrower_id]).fetchall()
    out: dict[str, set[str]] = {}
    for kind, channel in rows:
        out.setdefault(kind, set()).update({channel} if channel else set())
    return out


def test_every_reply_of_the_issue_is_understood_and_acted_on(book, cfg, renderer, tmp_path):
    borrowers = _book(book, len(ISSUE_REPLIES))
    phones = dict(book.con.execute("SELECT borrower_id, phone_e164 FROM borrowers").fetchall())
    # Friday 30 Oct 2026, 10:00 in Shanghai: "下周五" is 6 Nov, "the 5th" is 5 Nov.
    lines = [json.dumps({"MessageSid": f"SM{i:03d}", "From": phones[b], "Body": text,
                         "DateSent": "2026-10-30T02:00:00Z"}, ensure_ascii=False)
             for i, (b, (text, _)) in enumerate(zip(borrowers, ISSUE_REPLIES))]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_replies(book.con, cfg, tmp_path / "in.jsonl", now=_at("2026-10-30T03:00:00Z"))
    assert report.new_replies == len(ISSUE_REPLIES) and report.unknown_sender == 0

    for b, (text, expected) in zip(borrowers, ISSUE_REPLIES):
        got = _events(book, b)
        got.pop("review_opened", None)
        assert set(got) == set(expected), (text, got)
        for kind, channels in expected.items():
            if channels is not None:
                assert got[kind] == channels, (text, kind, got[kind])

    promises = dict(book.con.execute("SELECT borrower_id, detail FROM borrower_events WHERE kind = 'promise_to_pay'")
                    .fetchall())
    assert json.loads(promises[borrowers[12]])["promised_date"] == "2026-11-06"      # 下周五 from a Friday
    assert json.loads(promises[borrowers[13]])["promised_date"] == "2026-11-05"      # the 5th

    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    day = {(a["borrower_id"], a["step"], a["channel"]): (a["status"], a["suppressed_reason"])
           for a in book.attempts(planned_for_date=date(2026, 11, 2))}
    for b, (text, expected) in zip(borrowers, ISSUE_REPLIES):
        dpd1 = day.get((b, "dpd_1", "sms"))
        reminder_email = day.get((b, "pre_due_3", "email"))
        if "sms" in (expected.get("opt_out") or set()):
            assert dpd1 is not None and dpd1[0] == "suppressed" and dpd1[1] == "opted_out_sms", (text, dpd1)
        if "email" in (expected.get("opt_out") or set()):
            assert reminder_email is not None and reminder_email[1] == "opted_out_email", (text, reminder_email)
        if "hardship_request" in expected:
            assert dpd1 is not None and dpd1[1] == "paused_hardship", (text, dpd1)
        if "dispute" in expected and "sms" not in (expected.get("opt_out") or set()):
            assert dpd1 is not None and dpd1[1] == "paused_dispute", (text, dpd1)
        if "wrong_number" in expected:       # the number reaches someone else: nothing goes to it
            assert dpd1 is None or dpd1[0] == "suppressed", (text, dpd1)
        if not expected:                     # "don't stop my autopay": nothing changes
            assert dpd1 is not None and dpd1[0] != "suppressed", (text, dpd1)


def _at(iso: str):
    from datetime import datetime
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.mark.parametrize("new_words,stops", [("UNSUBSCRIBE", True), ("退订", True), ("Thanks, I paid today.", False)])
def test_an_email_reply_unsubscribe_stops_email_and_a_quoted_footer_does_not(book, cfg, renderer, tmp_path,
                                                                             new_words, stops):
    (b,) = _book(book, 1)
    address = book.con.execute("SELECT email FROM borrowers WHERE borrower_id = ?", [b]).fetchone()[0]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = address, "collections@lender.example", "Re: Your payment"
    msg["Date"], msg["Message-ID"] = "Fri, 30 Oct 2026 02:00:00 +0000", "<r1@borrower.example>"
    msg.set_content(f"{new_words}\n\nOn 29 Oct 2026, Lender <collections@lender.example> wrote:\n"
                    "> Your payment is due.\n> To stop these emails, reply UNSUBSCRIBE to this message.\n")
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "r1.eml").write_bytes(bytes(msg))
    report = ingest_email_replies(book.con, cfg, tmp_path / "mail", now=_at("2026-10-30T03:00:00Z"))
    assert report.new_replies == 1
    assert ("email" in _events(book, b).get("opt_out", set())) is stops

    plan_day(book.con, cfg, renderer, date(2026, 11, 2))
    email = {a["step"]: a for a in book.attempts(planned_for_date=date(2026, 11, 2), channel="email")}
    assert (email["pre_due_3"]["suppressed_reason"] == "opted_out_email") is stops
