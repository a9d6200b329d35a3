"""The plan page without a browser: the export it reads, GET -> pick -> confirm -> thanks, the refusals
(404 unknown, 409 used, 410 expired, 400 no such option), the language, the call-me button, and the
shared server's safety (headers, body limit, other paths) with the survey page beside it."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from loan_comms.arrangements.intake import ingest_arrangement_choices
from loan_comms.arrangements.web import KIND, PlanPage, export_offers, offers_file_for
from loan_comms.pages import PageServer, plan_site, survey_site
from tests.arrangements.conftest import OFFERED
from tests.arrangements.pages_fixtures import AFTER, PHONE, TOKEN, offer_sent, ready_book

PATH = f"/p/{TOKEN}"


@pytest.fixture
def offers(con, cfg, tmp_path):
    ready_book(con)
    path = tmp_path / "plan_offers.json"
    assert export_offers(con, cfg.arrangements, path, now=AFTER) == 1
    return path


@pytest.fixture
def page(offers, tmp_path):
    p = PlanPage(offers, tmp_path / "inbox", flush_seconds=3600, clock=lambda: AFTER)
    yield p
    p.writer.flush()


def written(page) -> list[dict]:
    return [json.loads(line) for f in page.writer.flush() for line in f.read_text().splitlines()]


def test_the_export_has_what_the_page_needs_and_nothing_personal(offers, con):
    doc = json.loads(offers.read_text())
    entry = doc[TOKEN]
    assert (entry["language"], entry["currency"], entry["arrears"], entry["taken"], entry["expired"]) == (
        "zh-CN", "CNY", "300.00", False, False)
    assert [(o["no"], o["label"], o["kind"], o["needs_review"]) for o in entry["options"]] == [
        (1, "欠款分3个月还", "respread", False), (2, "6个月每月只还一半", "reduced_payment", True)]
    assert entry["options"][0]["schedule"][0] == {"no": 1, "due_date": "2026-12-10", "amount": "400.00"}
    text = offers.read_text()
    for secret in ("B1", "L1", PHONE, "Wang", "example.com"):
        assert secret not in text


def test_offers_not_sent_or_long_expired_are_not_exported(con, cfg, tmp_path):
    ready_book(con)
    offer_sent(con, "TOKfailed0000000000000", status="failed")
    offer_sent(con, "TOKold000000000000000A", expires_at=OFFERED - timedelta(days=31))
    offer_sent(con, "TOKlate00000000000000A", expires_at=OFFERED - timedelta(days=1))
    assert export_offers(con, cfg.arrangements, tmp_path / "o.json", now=AFTER) == 2
    doc = json.loads((tmp_path / "o.json").read_text())
    assert sorted(doc) == sorted([TOKEN, "TOKlate00000000000000A"])
    assert doc["TOKlate00000000000000A"]["expired"] and doc["TOKlate00000000000000A"]["options"] == []


def test_pick_confirm_thanks_in_chinese(page):
    status, html = page.handle("GET", PATH, b"")
    body = html.decode()
    assert status == 200 and 'name="viewport"' in body and 'lang="zh-CN"' in body
    assert "¥300.00" in body and "欠款分3个月还" in body and "分3期，每期¥400.00" in body
    assert "需要我们人工审核" in body and body.count('name="option_no"') == 2 and "回电" in body
    status, html = page.handle("POST", PATH, b"option_no=1")
    body = html.decode()
    assert status == 200 and 'id="confirm"' in body and 'name="confirm" value="yes"' in body
    assert 'value="1"' in body and "欠款分3个月还" in body and "2026" in body
    assert written(page) == []                                   # nothing is recorded before the confirmation
    status, html = page.handle("POST", PATH, b"option_no=1&confirm=yes")
    assert status == 200 and "谢谢" in html.decode()
    [record] = written(page)
    assert (record["token"], record["option_no"], record["source"]) == (TOKEN, 1, "web")
    assert record["external_id"].startswith("web:") and record["chosen_at"] == AFTER.isoformat()
    assert page.handle("POST", PATH, b"option_no=2&confirm=yes")[0] == 409     # one choice per link
    assert page.handle("GET", PATH, b"")[0] == 409


def test_an_option_that_needs_approval_says_when_they_will_hear(page, cfg):
    status, html = page.handle("POST", PATH, b"option_no=2&confirm=yes")
    assert status == 200 and f"{cfg.arrangements.review_within_days}天内" in html.decode()


def test_english_page(con, cfg, tmp_path):
    ready_book(con, language="en")
    con.execute("UPDATE arrangement_offers SET language = 'en'")
    export_offers(con, cfg.arrangements, tmp_path / "o.json", now=AFTER)
    page = PlanPage(tmp_path / "o.json", tmp_path / "inbox", clock=lambda: AFTER)
    body = page.handle("GET", PATH, b"")[1].decode()
    assert 'lang="en"' in body and "Arrears over 3 months" in body and "3 monthly payments of CN¥400.00" in body
    assert "Needs approval" in body
    assert "within 2 day(s)" in page.handle("POST", PATH, b"option_no=2&confirm=yes")[1].decode()


@pytest.mark.parametrize("form", [b"option_no=3", b"option_no=", b"option_no=-1", b"option_no=1%00", b"x=1",
                                  b"option_no=3&confirm=yes"])
def test_an_option_the_offer_did_not_show_is_refused(page, form):
    status, html = page.handle("POST", PATH, form)
    assert status == 400 and 'id="invalid"' in html.decode()
    assert written(page) == []


def test_unknown_expired_and_taken_links(page, offers, con, cfg, tmp_path):
    assert page.handle("GET", "/p/nope-not-a-token-000", b"")[0] == 404
    assert page.handle("GET", "/p/../../etc/passwd", b"")[0] == 404
    assert page.handle("GET", "/p/", b"")[0] == 404
    late = PlanPage(offers, tmp_path / "inbox2", clock=lambda: OFFERED + timedelta(days=15))
    status, html = late.handle("GET", PATH, b"")
    assert status == 410 and "过期" in html.decode()
    assert late.handle("POST", PATH, b"option_no=1&confirm=yes")[0] == 410
    # chosen here, landed by the ingest, exported again: a fresh server (another host) refuses it too
    page.handle("POST", PATH, b"option_no=1&confirm=yes")
    page.writer.flush()
    assert ingest_arrangement_choices(con, cfg, tmp_path / "inbox" / KIND, now=AFTER, trusted_web=True).landed.accepted
    export_offers(con, cfg.arrangements, offers, now=AFTER)
    assert json.loads(offers.read_text())[TOKEN]["taken"] is True
    fresh = PlanPage(offers, tmp_path / "inbox3", clock=lambda: AFTER)
    status, html = fresh.handle("GET", PATH, b"")
    assert status == 409 and "已经使用过" in html.decode()


def test_a_choice_waiting_in_the_inbox_is_refused_after_a_restart(offers, page, tmp_path):
    page.handle("POST", PATH, b"option_no=1&confirm=yes")
    page.writer.flush()
    restarted = PlanPage(offers, tmp_path / "inbox", clock=lambda: AFTER)
    assert restarted.handle("GET", PATH, b"")[0] == 409


def test_call_me_records_one_request_and_leaves_the_offer_open(page):
    status, html = page.handle("POST", PATH, b"callback=yes")
    assert status == 200 and "回电" in html.decode()
    page.handle("POST", PATH, b"callback=yes")
    [record] = written(page)
    assert (record["kind"], record["offer_token"], record["external_id"]) == ("callback", TOKEN, f"plan-callback:{TOKEN}")
    assert "token" not in record
    assert page.handle("GET", PATH, b"")[0] == 200


def test_no_token_or_amount_in_the_logs(page, caplog):
    caplog.set_level(logging.DEBUG)
    page.handle("GET", PATH, b"")
    page.handle("POST", PATH, b"option_no=1&confirm=yes")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in logged and "400" not in logged and "300" not in logged


@pytest.fixture
def served(offers, con, tmp_path):
    from tests.surveys.conftest import invitation, mark_sent

    invitation(con, "surveytoken00000000000", expires_at=AFTER + timedelta(days=3))
    mark_sent(con, "surveytoken00000000000")
    from loan_comms.surveys.web import export_tokens

    export_tokens(con, tmp_path / "survey_tokens.json", now=AFTER)
    srv = PageServer([survey_site(tmp_path / "survey_tokens.json", tmp_path / "inbox", flush_seconds=3600,
                                  clock=lambda: AFTER),
                      plan_site(offers, tmp_path / "inbox", flush_seconds=3600, clock=lambda: AFTER)]).start()
    yield srv
    srv.stop()


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def test_one_server_serves_both_pages_safely(served, tmp_path):
    status, headers, body = fetch(served.url(PATH))
    assert status == 200 and "欠款分3个月还" in body
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Content-Type-Options"] == "nosniff"
    status, _, body = fetch(served.url("/s/surveytoken00000000000"))
    assert status == 200 and 'name="score"' in body
    assert fetch(served.url("/elsewhere"))[0] == 404
    assert fetch(served.url(PATH), data=b"x" * 20_000)[0] == 413          # body limit
    status, _, body = fetch(served.url(PATH), data=b"option_no=1&confirm=yes")
    assert status == 200
    for site in served.sites:
        site.stop()                                                        # flush both writers
    assert len(list((tmp_path / "inbox" / KIND).glob("*.jsonl"))) == 1


def test_the_shared_server_has_a_socket_timeout(served):
    handler = served.httpd.RequestHandlerClass
    assert handler.timeout == 10


def test_offers_file_sits_beside_the_database(tmp_path):
    assert offers_file_for(tmp_path / "book.duckdb") == tmp_path / "plan_offers.json"


def test_the_pages_command_serves_both_pages_on_one_port(offers, con, tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time

    from loan_comms.surveys.web import export_tokens
    from tests.surveys.conftest import invitation, mark_sent

    invitation(con, "surveytoken00000000000", expires_at=AFTER + timedelta(days=300))
    mark_sent(con, "surveytoken00000000000")
    export_tokens(con, tmp_path / "survey_tokens.json", now=AFTER)
    doc = json.loads(offers.read_text())
    doc[TOKEN]["expires_at"] = (AFTER + timedelta(days=300)).isoformat()   # the wall clock is later
    offers.write_text(json.dumps(doc), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "loan_comms.cli.root", "pages", "--port", str(port),
                             "--tokens", str(tmp_path / "survey_tokens.json"), "--offers", str(offers),
                             "--inbox", str(tmp_path / "inbox")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base, status, body = f"http://127.0.0.1:{port}", 0, ""
        for _ in range(100):
            try:
                status, _, body = fetch(base + PATH)
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200 and "欠款分3个月还" in body
        assert fetch(base + "/s/surveytoken00000000000")[0] == 200
        assert fetch(base + "/x")[0] == 404
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out = proc.communicate(timeout=15)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0].decode()
    assert "/s/<token>" in out and "/p/<token>" in out and TOKEN not in out
