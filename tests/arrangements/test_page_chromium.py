"""The plan page end to end in headless Chromium on a phone-sized screen: open the link, see the
arrears and the options with their schedules, pick one, confirm, thanks; the choice lands through the
ingest as an active plan; the same link is then refused (409) and an expired one says so (410)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from loan_comms.arrangements.intake import ingest_arrangement_choices
from loan_comms.arrangements.web import KIND, export_offers
from loan_comms.pages import PageServer, plan_site
from tests.arrangements.conftest import OFFERED
from tests.arrangements.pages_fixtures import AFTER, TOKEN, ready_book

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium at /usr/bin/chromium")


def served(offers, inbox, now):
    return PageServer([plan_site(offers, inbox, flush_seconds=3600, clock=lambda: now)]).start()


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def test_open_pick_confirm_thanks_then_the_link_is_used(browser, con, cfg, tmp_path):
    ready_book(con)
    offers, inbox = tmp_path / "plan_offers.json", tmp_path / "inbox"
    export_offers(con, cfg.arrangements, offers, now=AFTER)
    srv = served(offers, inbox, AFTER)
    try:
        page = browser.new_page(viewport={"width": 375, "height": 740})      # a phone
        page.goto(srv.url(f"/p/{TOKEN}"))
        assert page.inner_text("#arrears") == "¥300.00"
        assert page.locator("#options form.option").count() == 2
        assert "欠款分3个月还" in page.inner_text("#option-1")
        page.click("#option-1 summary")                                      # the schedule folds open
        assert page.locator("#option-1 table tbody tr").count() == 3
        assert page.locator("#option-1 table").is_visible()
        page.click("#option-1 button[type=submit]")
        assert "请确认" in page.inner_text("#confirm") and "欠款分3个月还" in page.inner_text("#summary")
        page.click("#confirm-button")
        assert "谢谢" in page.inner_text("#thanks")
        page.goto(srv.url(f"/p/{TOKEN}"))
        assert "已经使用过" in page.inner_text("#taken")
        # no horizontal scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        srv.stop()
    report = ingest_arrangement_choices(con, cfg, inbox / KIND, now=AFTER, trusted_web=True)
    assert len(report.landed.accepted) == 1 and report.quarantined == 0
    assert con.execute("SELECT source, option_no, status FROM arrangements").fetchall() == [("web", 1, "active")]
    export_offers(con, cfg.arrangements, offers, now=AFTER)                  # the next export says taken
    again = served(offers, tmp_path / "other-inbox", AFTER)
    try:
        page = browser.new_page()
        response = page.goto(again.url(f"/p/{TOKEN}"))
        assert response is not None and response.status == 409
    finally:
        again.stop()


def test_an_expired_link_is_refused(browser, con, cfg, tmp_path):
    ready_book(con)
    offers = tmp_path / "plan_offers.json"
    export_offers(con, cfg.arrangements, offers, now=AFTER)
    srv = served(offers, tmp_path / "inbox", OFFERED + timedelta(days=20))
    try:
        page = browser.new_page()
        response = page.goto(srv.url(f"/p/{TOKEN}"))
        assert response is not None and response.status == 410
        assert "过期" in page.inner_text("#expired")
        assert page.locator("form").count() == 0
    finally:
        srv.stop()
