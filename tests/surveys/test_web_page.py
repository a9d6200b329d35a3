"""The one-question survey page, answered end to end in headless Chromium: token in the link,
score, comment, thanks, the answer landed by the file ingest, a second answer refused."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import timedelta

import pytest

from loan_comms.surveys import ingest_survey_answers
from loan_comms.surveys.web import KIND, SurveyServer, export_tokens
from tests.builders import insert
from tests.surveys.conftest import SENT, invitation, mark_sent

CHROMIUM = "/usr/bin/chromium"
NOW = SENT + timedelta(hours=1)


@pytest.fixture
def server(con, tmp_path):
    for token, scale, language in (("zh-token-0000000000000", "csat", "zh-CN"), ("en-token-0000000000000", "nps", "en")):
        invitation(con, token, scale=scale, language=language)
        mark_sent(con, token)
    tokens = tmp_path / "survey_tokens.json"
    assert export_tokens(con, tokens, now=NOW) == 2
    srv = SurveyServer(tokens, tmp_path / "inbox", flush_seconds=3600, clock=lambda: NOW).start()
    yield srv
    srv.stop()


def test_the_page_without_a_browser(server):
    status, page = server.handle("GET", "/s/en-token-0000000000000", b"")
    assert status == 200 and b'name="viewport"' in page and page.count(b'name="score"') == 11
    assert server.handle("GET", "/s/nope-0000000000000000", b"")[0] == 404
    assert server.handle("POST", "/s/en-token-0000000000000", b"score=11")[0] == 400
    status, page = server.handle("POST", "/s/en-token-0000000000000", b"score=9&comment=%3Cscript%3E")
    assert status == 200 and b"Thank you" in page
    assert server.handle("POST", "/s/en-token-0000000000000", b"score=3")[0] == 409


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium at /usr/bin/chromium")
def test_answered_in_chromium_end_to_end(server, con, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 740})   # a phone
            page.goto(server.url + "zh-token-0000000000000")
            assert "满意" in page.inner_text("#question")
            assert page.locator("button[name=score]").count() == 5
            page.fill("#comment", "电话太多了 <b>")
            page.click("button[value='4']")
            assert "谢谢" in page.inner_text("#thanks")
            page.goto(server.url + "zh-token-0000000000000")
            assert "已经回答过" in page.inner_text("#answered")
        finally:
            browser.close()
    server.writer.flush()
    report = ingest_survey_answers(con, tmp_path / "inbox" / KIND, now=NOW, page_files=True)   # as the inbox flow
    assert report.answers.landed == 1
    assert con.execute("SELECT token, score, comment, source FROM survey_answers").fetchall() == [
        ("zh-token-0000000000000", 4, "电话太多了 <b>", "web")]
    export_tokens(con, tmp_path / "survey_tokens.json", now=NOW)          # the next export says answered
    fresh = SurveyServer(tmp_path / "survey_tokens.json", tmp_path / "other-inbox", clock=lambda: NOW)
    try:
        assert fresh.handle("GET", "/s/zh-token-0000000000000", b"")[0] == 409
    finally:
        fresh.httpd.server_close()


def test_only_surveys_that_went_are_exported(con, tmp_path):
    """A survey the policy held back, or one that failed, never reached anyone: its token is not on
    the page (planned ones go out when a dispatch pass sends them)."""
    for token, status in (("sent-token-00000000000", "sent"), ("delivered-token-000000", "delivered"),
                          ("suppressed-token-00000", "suppressed"), ("failed-token-000000000", "failed"),
                          ("planned-token-00000000", "planned")):
        invitation(con, token)
        mark_sent(con, token, status)
    out = tmp_path / "survey_tokens.json"
    assert export_tokens(con, out, now=NOW) == 2
    assert sorted(json.loads(out.read_text(encoding="utf-8"))) == ["delivered-token-000000", "sent-token-00000000000"]


def test_a_client_that_sends_nothing_is_cut_off(monkeypatch, tmp_path):
    """A connection that never finishes its request is closed after the handler's timeout (10 s;
    0.5 s here) instead of holding a thread for ever."""
    monkeypatch.setattr(SurveyServer, "REQUEST_TIMEOUT", 0.5)
    srv = SurveyServer(tmp_path / "survey_tokens.json", tmp_path / "inbox2", flush_seconds=3600,
                       clock=lambda: NOW).start()
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
            sock.sendall(b"GET /s/zh-tok")                  # never finished
            started = time.monotonic()
            assert sock.recv(1024) == b""                   # the server closed the connection
            assert time.monotonic() - started < 4
    finally:
        srv.stop()
