"""What borrowers write, recorded: every intent as its event with who decided it, once; unknown
senders quarantined without costing the rest; Twilio's OptOutType taken as given; agent notes; and
the review queue (open -> list -> resolve -> events; its errors are one clear line).

The classifier is injected (`_fixed`) wherever the meaning matters, so these tests hold whatever
rules config/replies.toml carries; only STOP / START / "maybe stop" lean on the real one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from loan_comms.inbound import (InboundText, ReviewError, ingest_operator_events, ingest_replies, open_reviews,
                                record_texts, resolve_review, review_artifact_rows)
from loan_comms.inbound.text_events import review_deadline
from loan_comms.understanding import Intent, Understanding
from tests.builders import NOW, plan

PHONE0, PHONE1 = "+12025550000", "+12025550001"


def _fixed(meanings, review=None):
    """understand() stand-in: a text means what the test says (clear intents, review candidates)."""
    def read(text, *, channel, received_at, timezone=None, rules=None, given=None):
        clear = tuple(Intent(**{**i.__dict__, "channels": i.channels or ((channel,) if i.name in ("opt_out", "opt_in")
                                                                           else ())})
                      for i in meanings.get(text, ()))
        return Understanding(clear, tuple((review or {}).get(text, ())), "en", text.upper(), "t1")
    return read


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def _events(con, *kinds):
    where = f"WHERE kind IN ({', '.join(repr(k) for k in kinds)})" if kinds else ""
    cur = con.execute(f"SELECT kind, external_id, borrower_id, loan_id, channel, source, scope, contact_point, amount, "
                      f"detail FROM borrower_events {where} ORDER BY external_id")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r), detail=json.loads(r[-1]) if r[-1] else None) for r in cur.fetchall()]


def _point(con, kind, address):
    return con.execute("SELECT point_id(?, ?)", [kind, address]).fetchone()[0]


EVERYTHING = {
    "the works": [
        Intent("opt_out", 0.95, "r.stop_all", ("sms", "email", "call", "visit"), "all"),
        Intent("hardship", 0.9, "r.lost_job"),
        Intent("dispute", 0.9, "r.not_mine", detail={"reason": "not_mine"}),
        Intent("wrong_number", 0.9, "r.wrong"),
        Intent("complaint", 0.9, "r.harass"),
        Intent("promise_to_pay", 0.9, "r.ptp", promised_date=date(2026, 11, 20), amount=Decimal("300")),
        Intent("callback_request", 0.9, "r.call_me", callback_on=date(2026, 11, 12),
               callback_window=(time(18), time(20))),
        Intent("question", 0.9, "r.how_much"),
    ],
}


def test_every_intent_is_recorded_as_its_event_with_who_decided(con, cfg, tmp_path):
    plan(con, 1)
    report = ingest_replies(con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SMall", "From": PHONE0, "Body": "the works", "DateSent": "2026-11-10T14:00:00Z"}]),
        now=NOW, understand_fn=_fixed(EVERYTHING))
    assert report.new_replies == 1 and report.reviews_opened == 1   # the question needs an answer
    assert report.by_kind == {"callback_request": 1, "complaint": 1, "dispute": 1, "hardship_request": 1,
                              "opt_out": 1, "promise_to_pay": 1, "question": 1, "wrong_number": 1}
    ev = {e["external_id"]: e for e in _events(con)}
    phone = _point(con, "phone", PHONE0)
    assert set(ev) == {"SMall", "SMall:opt_out:sms", "SMall:opt_out:email", "SMall:opt_out:call",
                       "SMall:opt_out:visit", "SMall:hardship_request", "SMall:dispute", "SMall:wrong_number",
                       "SMall:complaint", "SMall:promise_to_pay", "SMall:callback_request", "SMall:question",
                       "SMall:review"}
    for key, e in ev.items():
        assert e["borrower_id"] == "B00000" and e["source"] == "sms_reply", key
        assert e["scope"] == ("loan" if key.endswith("promise_to_pay") else "borrower"), key
        if key not in ("SMall", "SMall:review"):
            assert e["detail"]["decided_by"] == "rules:t1" and e["detail"]["rule"].startswith("r."), key
    # the sender's point only on the channel it came on; a wrong number is that point
    assert ev["SMall:opt_out:sms"]["contact_point"] == phone and ev["SMall:opt_out:email"]["contact_point"] is None
    assert ev["SMall:wrong_number"]["contact_point"] == phone
    promise = ev["SMall:promise_to_pay"]
    assert promise["loan_id"] == "L00000" and promise["amount"] == Decimal("300.00")
    assert promise["detail"]["promised_date"] == "2026-11-20"
    assert ev["SMall:callback_request"]["detail"].items() >= {"on": "2026-11-12", "from": "18:00", "to": "20:00"}.items()
    assert ev["SMall:dispute"]["detail"]["reason"] == "not_mine"
    raw = ev["SMall"]
    assert raw["kind"] == "sms_reply" and raw["contact_point"] == phone
    assert raw["detail"]["text"] == "the works" and raw["detail"]["decided_by"] == "rules:t1"
    assert set(raw["detail"]["classified_as"]) == {i.name for i in EVERYTHING["the works"]}
    question = ev["SMall:review"]
    assert question["channel"] is None and question["detail"]["reason"] == "needs_answer"   # pauses nothing


def test_a_reingested_file_records_nothing_new_reviews_included(con, cfg, tmp_path):
    plan(con, 2)
    drop = _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SM1", "From": PHONE0, "Body": "STOP"},
        {"MessageSid": "SM2", "From": PHONE1, "Body": "maybe stop"}])
    read = _fixed({"STOP": [Intent("opt_out", 1.0, "r.stop")]},
                  review={"maybe stop": [Intent("opt_out", 0.5, "r.weak", ("sms",), "this")]})
    first = ingest_replies(con, cfg, drop, now=NOW, understand_fn=read)
    assert (first.new_replies, first.reviews_opened) == (2, 1)
    before = con.execute("SELECT * FROM borrower_events ORDER BY event_id").fetchall()
    again = ingest_replies(con, cfg, drop, now=NOW + timedelta(days=1), understand_fn=read)
    assert (again.new_replies, again.duplicates, again.reviews_opened, again.by_kind) == (0, 2, 0, {})
    assert con.execute("SELECT * FROM borrower_events ORDER BY event_id").fetchall() == before


def test_twilio_opt_out_type_is_taken_as_given_and_start_resubscribes(con, cfg, tmp_path):
    plan(con, 1)
    phone = _point(con, "phone", PHONE0)
    ingest_replies(con, cfg, _jsonl(tmp_path / "a.jsonl", [
        {"MessageSid": "SMa", "From": PHONE0, "Body": "ok whatever", "OptOutType": "STOP",
         "DateSent": "2026-11-10T14:00:00Z"}]), now=NOW)
    ingest_replies(con, cfg, _jsonl(tmp_path / "b.jsonl", [
        {"MessageSid": "SMb", "From": PHONE0, "Body": "START", "OptOutType": "START",
         "DateSent": "2026-11-11T14:00:00Z"}]), now=NOW + timedelta(days=1))
    got = [(e["kind"], e["channel"], e["contact_point"], e["borrower_id"], e["detail"]["decided_by"])
           for e in _events(con, "opt_out", "opt_in")]
    assert got == [("opt_out", "sms", phone, "B00000", "provider:twilio"),
                   ("opt_in", "sms", phone, "B00000", "provider:twilio")]
    [raw] = [e for e in _events(con, "sms_reply") if e["external_id"] == "SMa"]
    assert raw["detail"]["given"] == "STOP" and raw["detail"]["classified_as"] == ["opt_out"]


def test_an_unknown_sender_is_quarantined_and_the_rest_land(con, cfg, tmp_path):
    plan(con, 1)
    report = record_texts(con, cfg, [
        InboundText("E1", "email", "STOP", NOW, "email_reply", sender="nobody@example.org", source_file="/x/a.eml",
                    source_line=1, raw="..."),
        InboundText("E2", "email", "STOP", NOW, "email_reply", sender="  Pat0@Example.COM ", source_file="/x/b.eml",
                    source_line=1),
        InboundText("N1", "call", "STOP", NOW, "agent_note", borrower_id="B99999"),
        InboundText("N2", "call", "STOP", NOW, "agent_note", borrower_id="B00000", loan_id="L99999"),
    ], now=NOW, understand_fn=_fixed({"STOP": [Intent("opt_out", 1.0, "r.stop")]}))
    assert report.new == 1 and report.unknown_sender == 1
    assert [why for _, why in report.refused] == ["no borrower has this e-mail address",
                                                  "borrower B99999 is not in the book",
                                                  "loan L99999 is not borrower B00000's"]
    [e] = _events(con, "opt_out")    # the e-mail matched case-insensitively, its point is the address's
    assert (e["borrower_id"], e["channel"], e["contact_point"]) == ("B00000", "email",
                                                                    _point(con, "email", "pat0@example.com"))
    q = con.execute("SELECT source_file, entity, reason FROM import_quarantine ORDER BY reason").fetchall()
    assert q[0][1] == "agent_note" and ("/x/a.eml", "email_reply", "no borrower has this e-mail address") in q


def test_agent_notes_in_record_events_are_understood_like_replies(con, cfg, tmp_path):
    plan(con, 1)
    f = _jsonl(tmp_path / "ops.jsonl", [
        {"event_id": "n1", "borrower_id": "B00000", "kind": "note", "text": "STOP",
         "occurred_at": "2026-11-10T10:00:00-05:00"},
        {"event_id": "n2", "borrower_id": "B00000", "kind": "note", "text": "maybe stop", "channel": "visit",
         "occurred_at": "2026-11-10T10:05:00-05:00"},
        {"event_id": "n3", "borrower_id": "B00000", "kind": "note", "occurred_at": "2026-11-10T10:00:00-05:00"},
        {"event_id": "n4", "borrower_id": "B77777", "kind": "note", "text": "STOP",
         "occurred_at": "2026-11-10T10:00:00-05:00"},
        {"event_id": "c1", "borrower_id": "B00000", "kind": "cease_contact", "occurred_at": "2026-11-10T10:00:00-05:00"},
    ])
    report = ingest_operator_events(con, f, now=NOW, cfg=cfg)
    assert (report.read, report.recorded, report.reviews_opened) == (5, 3, 1)
    assert report.rejected == ["line 3: a note needs its text", "line 4: borrower B77777 is not in the book"]
    ev = {e["external_id"]: e for e in _events(con)}
    assert ev["operator:n1"]["kind"] == "agent_note" and ev["operator:n1"]["source"] == "agent_note"
    stop = ev["operator:n1:opt_out:call"]
    assert (stop["kind"], stop["channel"], stop["contact_point"]) == ("opt_out", "call", None)
    assert ev["operator:n2:review"]["channel"] == "visit"
    assert ev["operator:c1"]["kind"] == "cease_contact"
    again = ingest_operator_events(con, f, now=NOW, cfg=cfg)
    assert again.recorded == 0 and again.duplicates == 3


def test_review_deadline_counts_business_days():
    friday = datetime(2026, 11, 13, 9, 30, tzinfo=UTC)
    assert review_deadline(friday, 2) == datetime(2026, 11, 17, 9, 30, tzinfo=UTC)   # Tuesday
    assert review_deadline(friday, 10) == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert review_deadline(datetime(2026, 11, 10, tzinfo=UTC), 1) == datetime(2026, 11, 11, tzinfo=UTC)


def _ambiguous(con, cfg, tmp_path):
    plan(con, 1)
    read = _fixed({}, review={"maybe stop": [Intent("opt_out", 0.5, "r.weak", ("sms",), "this"),
                                             Intent("hardship", 0.4, "r.maybe_hard")]})
    ingest_replies(con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SMr", "From": PHONE0, "Body": "maybe stop, call +12025550000", "DateSent": "2026-11-10T14:00:00Z"}]),
        now=NOW, understand_fn=lambda text, **kw: read("maybe stop", **kw))


def test_review_open_list_resolve_records_the_reviewers_decision(con, cfg, tmp_path):
    _ambiguous(con, cfg, tmp_path)
    [item] = open_reviews(con, NOW)
    assert (item.review_id, item.channel, item.reason, item.overdue) == ("SMr", "sms", "ambiguous", False)
    assert item.candidate_intents == ["opt_out", "hardship"] and item.deadline == datetime(2026, 11, 12, 14, tzinfo=UTC)
    [row] = review_artifact_rows([item])
    assert "+1202" not in json.dumps(row) and "maybe" not in json.dumps(row) and row["candidates"] == "opt_out, hardship"
    assert open_reviews(con, datetime(2026, 11, 12, 15, tzinfo=UTC))[0].overdue
    assert open_reviews(con, NOW - timedelta(hours=2)) == []     # as of before it arrived

    later = NOW + timedelta(hours=3)
    done = resolve_review(con, "SMr", ["opt_out:all", "hardship"], "ana.li", "called back, she wants no contact",
                          later, cfg=cfg)
    assert done.events == 1 + 4 + 1
    assert open_reviews(con, later) == [] and len(open_reviews(con, later - timedelta(minutes=1))) == 1
    [resolved] = _events(con, "review_resolved")
    assert resolved["external_id"] == "SMr:resolved" and resolved["source"] == "review"
    assert resolved["detail"]["decided_by"] == "reviewer:ana.li" and resolved["channel"] == "sms"
    applied = _events(con, "opt_out", "hardship_request")
    assert {e["external_id"] for e in applied} == {"SMr:review:opt_out:sms", "SMr:review:opt_out:email",
                                                   "SMr:review:opt_out:call", "SMr:review:opt_out:visit",
                                                   "SMr:review:hardship_request"}
    assert {e["detail"]["decided_by"] for e in applied} == {"reviewer:ana.li"} and {e["source"] for e in applied} == {"review"}
    sms = next(e for e in applied if e["external_id"] == "SMr:review:opt_out:sms")
    assert sms["contact_point"] == _point(con, "phone", PHONE0)


def test_resolving_with_nothing_closes_the_item_and_records_no_intent(con, cfg, tmp_path):
    _ambiguous(con, cfg, tmp_path)
    done = resolve_review(con, "SMr", ["nothing"], "ana", None, NOW + timedelta(hours=1))
    assert done.applied == () and done.events == 1 and open_reviews(con, NOW + timedelta(hours=1)) == []
    assert _events(con, "opt_out", "hardship_request") == []


@pytest.mark.parametrize("review_id, intents, by, message", [
    ("SMnope", ["opt_out"], "ana", "no review item 'SMnope'"),
    ("SMr", ["opt_outt"], "ana", "unknown intent 'opt_outt'"),
    ("SMr", ["hardship:sms"], "ana", "only opt_out and opt_in take a channel"),
    ("SMr", ["opt_out:fax"], "ana", "'fax' is not a channel"),
    ("SMr", ["promise_to_pay"], "ana", "record-events"),
    ("SMr", ["opt_out"], "ana@example.com", "--by"),
    ("SMr", ["opt_out"], "", "--by"),
])
def test_review_errors_are_one_clear_line_and_write_nothing(con, cfg, tmp_path, review_id, intents, by, message):
    _ambiguous(con, cfg, tmp_path)
    n = con.execute("SELECT count(*) FROM borrower_events").fetchone()[0]
    with pytest.raises(ReviewError, match=message) as err:
        resolve_review(con, review_id, intents, by, None, NOW)
    assert err.value.exit_code == 2 and "\n" not in str(err.value)
    assert con.execute("SELECT count(*) FROM borrower_events").fetchone()[0] == n


def test_resolving_twice_is_refused(con, cfg, tmp_path):
    _ambiguous(con, cfg, tmp_path)
    resolve_review(con, "SMr", ["opt_out"], "ana", None, NOW)
    with pytest.raises(ReviewError, match="already resolved"):
        resolve_review(con, "SMr", ["hardship"], "bo", None, NOW + timedelta(hours=1))


def test_a_wrong_number_needs_the_point_the_text_came_from(con, cfg):
    plan(con, 1)
    record_texts(con, cfg, [InboundText("N9", "call", "hmm", NOW, "agent_note", borrower_id="B00000")], now=NOW,
                 understand_fn=_fixed({}, review={"hmm": [Intent("wrong_number", 0.5, "r.maybe")]}))
    with pytest.raises(ReviewError, match="wrong_number: .*no contact point"):
        resolve_review(con, "N9", ["wrong_number"], "ana", None, NOW)
    assert resolve_review(con, "N9", ["complaint"], "ana", None, NOW).applied == ("complaint",)


def test_reviews_on_the_command_line(con, cfg, tmp_path):
    from typer.testing import CliRunner

    from loan_comms import db as dbm
    from loan_comms.cli import app

    path = tmp_path / "r.duckdb"
    book = dbm.connect(path)
    _ambiguous(book, cfg, tmp_path)
    book.close()
    runner = CliRunner()
    listed = runner.invoke(app, ["reviews", "list", "--db", str(path), "--now", "2026-11-10T16:00:00Z"])
    assert listed.exit_code == 0, listed.output
    assert "SMr" in listed.output and "1 open review items, 0 overdue" in listed.output
    assert "+12025550000" not in listed.output and "maybe stop" in listed.output
    as_json = runner.invoke(app, ["reviews", "list", "--json", "--db", str(path), "--now", "2026-11-13T16:00:00Z"])
    [item] = [json.loads(line) for line in as_json.output.splitlines()]
    assert item["review_id"] == "SMr" and item["overdue"] is True and "+12025550000" not in item["text"]
    bad = runner.invoke(app, ["reviews", "resolve", "SMx", "--as", "opt_out", "--by", "ana", "--db", str(path)])
    assert bad.exit_code == 2 and "no review item 'SMx'" in bad.output and "Traceback" not in bad.output
    ok = runner.invoke(app, ["reviews", "resolve", "SMr", "--as", "opt_out,hardship", "--by", "ana", "--db", str(path),
                             "--now", "2026-11-10T17:00:00Z"])
    assert ok.exit_code == 0 and "applied opt_out:sms, hardship_request" in ok.output
    twice = runner.invoke(app, ["reviews", "resolve", "SMr", "--as", "nothing", "--by", "ana", "--db", str(path)])
    assert twice.exit_code == 2 and "already resolved" in twice.output


# -- review findings on i12-int (f2) ---------------------------------------------------------------

def test_an_opt_out_of_calls_texted_from_a_phone_names_that_phone_on_the_call_row_too(con, cfg, tmp_path):
    """Finding 1: a phone is one point for sms AND call, so "stop calling me" / "STOP ALL" texted
    from it closes that number's calls for everyone holding it (point_flags reads contact_point)."""
    plan(con, 1)
    read = _fixed({"no calls": [Intent("opt_out", 0.9, "r.calls", ("call",), "named")],
                   "stop all": [Intent("opt_out", 0.9, "r.all", ("sms", "email", "call", "visit"), "all")]})
    ingest_replies(con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SMc", "From": PHONE0, "Body": "no calls", "DateSent": "2026-11-10T14:00:00Z"},
        {"MessageSid": "SMa", "From": PHONE0, "Body": "stop all", "DateSent": "2026-11-10T14:01:00Z"}]),
        now=NOW, understand_fn=read)
    phone = _point(con, "phone", PHONE0)
    points = {e["external_id"]: e["contact_point"] for e in _events(con, "opt_out")}
    assert points == {"SMc:opt_out:call": phone, "SMa:opt_out:sms": phone, "SMa:opt_out:call": phone,
                      "SMa:opt_out:email": None, "SMa:opt_out:visit": None}


def test_a_bad_or_future_date_never_stops_the_file_and_the_claimed_date_is_kept(con, cfg, tmp_path):
    """Findings 5 and 6: 0001-01-01T00:00:00+14:00 cannot be held in UTC (OverflowError) and a date
    in the future would hide an opt-out until then: both are taken as received now, the date as given
    stays in the text's detail, and every record of the file lands."""
    plan(con, 1)
    report = ingest_replies(con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SMok", "From": PHONE0, "Body": "STOP", "DateSent": "2026-11-10T14:00:00Z"},
        {"MessageSid": "SMold", "From": PHONE0, "Body": "hi", "DateSent": "0001-01-01T00:00:00+14:00"},
        {"MessageSid": "SMbig", "From": PHONE0, "Body": "hi", "DateSent": "1e30"},
        {"MessageSid": "SMfut", "From": PHONE0, "Body": "STOP", "DateSent": "2026-12-01T09:00:00"}]), now=NOW)
    assert report.new_replies == 4 and report.quarantined == 0
    got = {r[0]: (r[1], json.loads(r[2]).get("claimed_at")) for r in con.execute(
        "SELECT external_id, occurred_at, detail FROM borrower_events WHERE kind = 'sms_reply'").fetchall()}
    assert got["SMok"] == (datetime(2026, 11, 10, 14, tzinfo=UTC), None)
    assert got["SMold"] == (NOW, "0001-01-01T00:00:00+14:00") and got["SMbig"] == (NOW, "1e30")
    assert got["SMfut"] == (NOW, "2026-12-01T09:00:00")
    [fut] = [e for e in _events(con, "opt_out") if e["external_id"].startswith("SMfut")]
    assert con.execute("SELECT occurred_at FROM borrower_events WHERE external_id = ?",
                       [fut["external_id"]]).fetchone()[0] == NOW          # the opt-out holds from now


def test_a_review_item_pauses_the_channels_it_is_about_and_lists_the_question_too(con, cfg, tmp_path):
    """Findings 2 and 14: "maybe stop calling me, when is it due?" by SMS pauses SMS and calls, and
    the reviewer sees the question as well as the uncertain opt-out."""
    plan(con, 1)
    read = _fixed({"t": [Intent("question", 0.9, "r.when")]},
                  review={"t": [Intent("opt_out", 0.6, "r.maybe_calls", ("call",), "named")]})
    ingest_replies(con, cfg, _jsonl(tmp_path / "in.jsonl", [
        {"MessageSid": "SMq", "From": PHONE0, "Body": "t", "DateSent": "2026-11-10T14:00:00Z"}]),
        now=NOW, understand_fn=read)
    [item] = open_reviews(con, NOW)
    assert item.channels == ("call", "sms") and item.reason == "ambiguous"
    assert item.candidate_intents == ["opt_out", "question"]
    assert review_artifact_rows([item])[0]["channel"] == "call, sms"


def test_review_deadline_counts_business_days_in_the_borrowers_zone():
    """Finding 10: Friday 20:00 in Los Angeles is Saturday 04:00 UTC; two business days are Tuesday
    20:00 there (Wednesday 04:00 UTC), not Tuesday 04:00 UTC. The audit counts the same way."""
    from loan_comms.audit.runner import business_deadline

    friday_evening = datetime(2026, 11, 14, 4, 0, tzinfo=UTC)
    expected = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)
    assert review_deadline(friday_evening, 2, "America/Los_Angeles") == expected
    assert business_deadline(friday_evening, 2, "America/Los_Angeles") == expected
    assert review_deadline(friday_evening, 2) == datetime(2026, 11, 17, 4, 0, tzinfo=UTC)   # no zone: UTC
    assert review_deadline(friday_evening, 2, "Not/AZone") == datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


def test_artifacts_and_alerts_carry_a_public_id_and_resolve_takes_either(con, cfg, tmp_path):
    """Finding 13: the real id of an e-mail's item is its Message-ID; artifacts and the overdue alert
    show a hash of it, and `reviews resolve` accepts that hash."""
    from flows.ingest import overdue_alert
    from loan_comms.inbound.reviews import public_id
    from tasks.ingest import InboxReport

    plan(con, 1)
    record_texts(con, cfg, [InboundText("<a1@mail.example.org>", "sms", "maybe", NOW, "sms_reply", sender=PHONE0)],
                 now=NOW, understand_fn=_fixed({}, review={"maybe": [Intent("opt_out", 0.5, "r.weak")]}))
    [item] = open_reviews(con, NOW + timedelta(days=5))
    [row] = review_artifact_rows([item])
    assert row["review_id"] == public_id("<a1@mail.example.org>") and "example" not in json.dumps(row)
    alert = overdue_alert(InboxReport(open_reviews=[row]))
    assert alert is not None and row["review_id"] in alert.text and "example" not in alert.text
    done = resolve_review(con, row["review_id"], ["nothing"], "ana", None, NOW + timedelta(hours=1))
    assert done.review_id == "<a1@mail.example.org>" and open_reviews(con, NOW + timedelta(hours=2)) == []


def test_a_later_clear_choice_from_the_same_point_supersedes_the_item_on_its_channels(con, cfg, tmp_path):
    """Doubtful point: a START (or STOP) texted after "maybe stop" is the person's explicit choice
    on SMS: the item stops pausing SMS but calls still wait for the reviewer, until a clear choice
    about calls from the same number closes it."""
    plan(con, 1)
    read = _fixed({"START": [Intent("opt_in", 0.99, "r.start")]},
                  review={"maybe": [Intent("opt_out", 0.5, "r.weak", ("sms", "call"), "named")]})
    texts = [InboundText("SM1", "sms", "maybe", NOW, "sms_reply", sender=PHONE0)]
    record_texts(con, cfg, texts, now=NOW, understand_fn=read)
    later = NOW + timedelta(hours=1)
    record_texts(con, cfg, [InboundText("SM2", "sms", "START", later, "sms_reply", sender=PHONE0)],
                 now=later, understand_fn=read)
    [item] = open_reviews(con, later)
    assert item.channels == ("call",)                       # SMS is decided; calls still wait
    assert [i.channels for i in open_reviews(con, later - timedelta(minutes=1))] == [("call", "sms")]
    record_texts(con, cfg, [InboundText("SM3", "sms", "START", later + timedelta(hours=1), "sms_reply",
                                        sender=PHONE0)],
                 now=later, understand_fn=_fixed({"START": [Intent("opt_in", 0.99, "r.start", ("call",), "named")]}))
    assert open_reviews(con, later + timedelta(hours=2)) == []
