"""Twilio error 21610 on send (issue 13): the number texted STOP to our sender, so Twilio refuses
it. The contact fails like any 4xx, an SMS opt-out is recorded for that number in the same
transaction (once, whatever is replayed), the next pass does not text it, and a pass where every
number is unsubscribed is not "refusing everything": that halt is for our account and sender."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.delivery.providers.errors import DeliveryHalted
from tests.builders import DAY, NOW, insert, plan, point, statuses, with_providers
from tests.delivery.test_http_faults import FAST


class Twilio21610:
    """A Twilio-shaped endpoint that refuses the numbers in `refused` with `code` (21610 by default)."""

    def __init__(self, refused: set[str] | None = None, code: int = 21610) -> None:
        self.refused, self.code, self.requests = refused, code, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                outer.requests += 1
                if outer.refused is None or form["To"] in outer.refused:
                    status, doc = 400, {"code": outer.code, "message": "Attempt to send to unsubscribed recipient",
                                        "more_info": f"https://www.twilio.com/docs/errors/{outer.code}", "status": 400}
                else:
                    status, doc = 201, {"sid": f"SM{outer.requests:032d}", "status": "queued"}
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio_stub():
    stubs: list[Twilio21610] = []

    def make(**kw) -> Twilio21610:
        stubs.append(Twilio21610(**kw))
        return stubs[-1]

    yield make
    for s in stubs:
        s.close()


def _cfg(cfg, url):
    return with_providers(cfg, sms=dict(kind="twilio", base_url=url, from_number="+12025550000", **FAST))


def _opt_outs(con):
    return con.execute("SELECT borrower_id, channel, source, contact_point, external_id, detail, occurred_at "
                       "FROM borrower_events WHERE kind = 'opt_out' ORDER BY borrower_id").fetchall()


def test_21610_fails_the_contact_and_opts_the_number_out_once(con, cfg, secrets_env, twilio_stub):
    ids = plan(con, 4)
    phones = dict(con.execute("SELECT borrower_id, phone_e164 FROM borrowers").fetchall())
    stub = twilio_stub(refused={phones["B00001"], phones["B00003"]})
    report = dispatch_due(con, _cfg(cfg, stub.url), NOW)
    assert (sum(report.sent.values()), sum(report.failed.values())) == (2, 2)
    st = statuses(con)
    assert [st[a] for a in ids] == ["sent", "failed", "sent", "failed"]
    rows = _opt_outs(con)
    assert [(b, ch, src, cp) for b, ch, src, cp, *_ in rows] == [
        ("B00001", "sms", "provider", point("phone", phones["B00001"])),
        ("B00003", "sms", "provider", point("phone", phones["B00003"]))]
    assert [r[4] for r in rows] == [f"twilio:21610:{ids[1]}", f"twilio:21610:{ids[3]}"]
    assert json.loads(rows[0][5]) == {"decided_by": "provider:twilio", "error_code": 21610, "via": "send"}
    assert rows[0][6] == NOW
    [(error,)] = con.execute("SELECT error FROM contact_attempts WHERE attempt_id = ?", [ids[1]]).fetchall()
    assert error.startswith("400 twilio 21610") and phones["B00001"] not in error

    # a replayed pass sends nothing and records nothing; the same status callback later adds nothing either
    again = dispatch_due(con, _cfg(cfg, stub.url), NOW)
    assert sum(again.due.values()) == 0 and stub.requests == 4 and len(_opt_outs(con)) == 2
    from loan_comms.inbound.provider_reports import record_reports, twilio_unsubscribed

    assert record_reports(con, [twilio_unsubscribed(None, None, NOW, "status callback") | {"attempt_id": ids[1]}],
                          NOW) == {}
    assert len(_opt_outs(con)) == 2


def test_the_next_pass_does_not_text_an_unsubscribed_number(con, cfg, secrets_env, twilio_stub):
    (aid,) = plan(con, 1)
    stub = twilio_stub()
    dispatch_due(con, _cfg(cfg, stub.url), NOW)
    assert statuses(con)[aid] == "failed"
    later = NOW + timedelta(hours=2)
    insert(con, "contact_attempts", attempt_id="As-next", idempotency_key="B00000|L00000|dpd_2|sms|next",
           borrower_id="B00000", loan_id="L00000", installment_no=1, channel="sms", purpose="escalation",
           step="dpd_2", priority=1, status="planned", planned_for_date=DAY, send_after=later - timedelta(hours=1),
           send_before=later + timedelta(hours=3), created_at=NOW, updated_at=NOW)
    insert(con, "contact_messages", attempt_id="As-next", body_text="Hi Pat, still overdue.")
    report = dispatch_due(con, _cfg(cfg, stub.url), later)
    assert report.cancelled == {"opted_out_sms": 1} and stub.requests == 1


def test_a_pass_of_unsubscribed_numbers_is_not_refusing_everything(con, cfg, secrets_env, twilio_stub):
    plan(con, 7)   # more than outage_after (5) refusals in a row, none accepted
    stub = twilio_stub()
    report = dispatch_due(con, _cfg(cfg, stub.url), NOW)
    assert sum(report.failed.values()) == 7 and not report.halted
    assert len(_opt_outs(con)) == 7


def test_any_other_4xx_on_every_message_still_halts_the_channel(con, cfg, secrets_env, twilio_stub):
    plan(con, 7)
    stub = twilio_stub(code=21212)   # invalid From number: our problem
    with pytest.raises(DeliveryHalted, match="refused every message"):
        dispatch_due(con, _cfg(cfg, stub.url), NOW)
    assert _opt_outs(con) == []
