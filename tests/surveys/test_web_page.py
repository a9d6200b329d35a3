"""The one-question survey page, answered end to end in headless Chromium: token in the link,
score, comment, thanks, the answer landed by the file ingest, a second answer refused."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from loan_comms.surveys import ingest_survey_answers
from loan_comms.surveys.web import KIND, SurveyServer, export_tokens
from tests.surveys.conftest import SENT, invitation

CHROMIUM = "/usr/bin/chromium"
NOW = SENT + timedelta(hours=1)


@pytest.fixture
def server(con, tmp_path):
    invitation(con, "zh-token-0000000000000", scale="csat", language="zh-CN")
    invitation(con, "en-token-0000000000000", scale="nps", language="en")
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
