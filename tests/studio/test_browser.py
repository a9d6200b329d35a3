"""Issue 18, done when: a product manager changes a message, has it approved and sees it in the next
day's contacts without a terminal. In headless Chromium (/usr/bin/chromium, never a downloaded one):
an editor signs in, changes an SMS, watches the preview and the segment count change, makes and
fixes a lint error, sends it to review; a reviewer signs in and approves; the next plan sends the
new wording with the approved version, and the release names who wrote and who approved it.

STUDIO_SCREENSHOTS=docs/studio saves the pages on the way (the screenshots in docs/studio/).
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

from loan_comms.audit import run_audit
from loan_comms.lifecycle.planner import plan_day
from loan_comms.studio import Studio, StudioServer, save_user
from loan_comms.templating.store import TemplateStore, templates_dir
from tasks.common import template_store

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium at /usr/bin/chromium")]
TID = "sms/en/pre_due_3"
NEW = ("Hello {{ first_name }}, a friendly reminder: {{ amount_due|money(currency) }} is due on {{ due_date|date }}. "
       "Pay at {{ pay_link }} or call {{ help_line }} if you need a plan. {{ opt_out_text }}")
LONG = (" We are here to help: if paying on time is hard this month, tell us and we will look at a smaller "
        "payment or a short break together, with no fees added for asking.")


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def studio_cfg(cfg, tmp_path):
    users = tmp_path / "users.toml"
    save_user(users, "mei", ["editor"], "mei-edits-words")
    save_user(users, "omar", ["reviewer"], "omar-approves-1")
    return cfg.model_copy(update={"studio": cfg.studio.model_copy(update={"dir": str(tmp_path / "studio"),
                                                                             "users": str(users)})})


def _shots() -> Path | None:
    where = os.environ.get("STUDIO_SCREENSHOTS")
    return Path(where) if where else None


def _shot(page, name: str) -> None:
    where = _shots()
    if where is not None:
        where.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(where / f"{name}.png"), full_page=True)


def _sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(url)
    assert page.url.split("?")[0].endswith("/login")          # nothing without a login
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_selector("#who")
    assert page.inner_text("#who") == name


def _checked(page, before: int) -> int:
    """Wait for the live check after `before` (polled: the studio's CSP forbids the eval wait_for_function needs)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = int(page.get_attribute("#preview", "data-checked") or 0)
        if now > before:
            return now
        page.wait_for_timeout(50)
    raise AssertionError("the preview did not update")


def test_edit_preview_review_approve_and_the_next_plan_sends_it(browser, studio_cfg, book):
    cfg = studio_cfg
    book.borrower("B1", language="en", tz="Asia/Shanghai")
    book.loan("L1", "B1", [("2026-11-05", "1280.00")])         # pre_due_3 by SMS on 2 Nov
    studio = Studio.open(cfg)                                   # the repository's library is release 1
    srv = StudioServer(studio).start()
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        _sign_in(page, srv.url(f"/t/{TID}"), "mei", "mei-edits-words")
        assert page.locator("#templates tbody tr").count() > 20 or page.url.endswith(f"/t/{TID}")
        page.goto(srv.url("/"))
        _shot(page, "1-templates")
        page.goto(srv.url(f"/t/{TID}"))
        page.click("#edit")
        seen = _checked(page, 0)
        published_segments = int(page.get_attribute("#preview", "data-max-segments"))
        assert page.get_attribute("#preview", "data-errors") == "0"

        page.fill("#part-txt", NEW + LONG)                      # longer: more segments, live
        seen = _checked(page, seen)
        longer = int(page.get_attribute("#preview", "data-max-segments"))
        assert longer > published_segments or longer >= 2
        assert "segment(s)" in page.inner_text("#preview .sample .sms-length")

        page.fill("#part-txt", NEW.replace("{{ first_name }}", "{{ first_nmae }}"))   # a typo: lint, inline
        seen = _checked(page, seen)
        assert "unknown variable 'first_nmae'" in page.inner_text("#problems-txt")
        assert page.is_disabled("#save-submit")
        _shot(page, "2-editor-lint-error")

        page.fill("#part-txt", NEW)                             # fixed
        seen = _checked(page, seen)
        assert page.inner_text("#problems-txt").strip() == ""
        assert int(page.get_attribute("#preview", "data-max-segments")) < longer
        assert "friendly reminder" in page.inner_text("#preview")
        assert "+Hello" in page.inner_text("#diff")
        _shot(page, "3-editor-preview")
        page.click("#save-submit")
        page.wait_for_selector("#draft")
        assert page.get_attribute("#draft", "data-status") == "in_review"
        version = page.inner_text("#draft-version")
        assert page.locator("#approve").count() == 0            # an editor cannot approve
        page.click("#logout")

        _sign_in(page, srv.url("/review"), "omar", "omar-approves-1")
        page.click("#waiting a")
        _shot(page, "4-review")
        page.fill("#comment", "Clear and kind; approved.")
        page.click("#approve")
        page.wait_for_selector("#review-outcome")
        assert "Approved by omar" in page.inner_text("#review-outcome")
        page.goto(srv.url("/audit"))
        actions = page.inner_text("#audit")
        for action in ("login", "draft_created", "submitted", "approved"):
            assert action in actions
        page.click("#logout")
        _sign_in(page, srv.url("/t/sms/zh-CN/pre_due_3/edit"), "mei", "mei-edits-words")   # CJK fonts
        _checked(page, 0)
        _shot(page, "5-editor-zh-CN")
    finally:
        srv.stop()
        studio.close()

    # The next daily plan reads the published release: the new wording, with the approved version.
    store = template_store(cfg)
    assert store.dir == templates_dir(cfg) and store.by_id[TID].version == version
    prov = store.provenance_of(TID)
    assert (prov.source, prov.author, prov.reviewer) == ("studio", "mei", "omar")
    plan_day(book.con, cfg, store, date(2026, 11, 2))
    sent = book.con.execute("SELECT a.template_version, m.body_text FROM contact_attempts a "
                            "JOIN contact_messages m USING (attempt_id) WHERE a.template_id = $t", {"t": TID}).fetchall()
    assert sent and all(v == version and "friendly reminder" in text for v, text in sent)
    # The book names who wrote and who approved the wording that went out, and the audit agrees.
    assert book.con.execute("SELECT source, author, reviewer FROM template_versions WHERE template_id = $t "
                            "AND template_version = $v", {"t": TID, "v": version}).fetchall() == [("studio", "mei", "omar")]
    report = run_audit(book.con, cfg, rules=("template_versions_approved",))
    (rule,) = report.rules
    assert rule.checked >= 1 and rule.violations == 0


def test_a_running_plan_keeps_the_library_it_started_with(studio_cfg):
    """Releases are never changed: a store loaded before a publication renders the old wording after it."""
    cfg = studio_cfg
    with Studio.open(cfg) as studio:
        before = TemplateStore.load(templates_dir(cfg), cfg)
        old = before.by_id[TID].version
        users = studio.users()
        d = studio.save_draft(users["mei"], TID, {"txt": NEW})
        studio.submit(users["mei"], d.draft_id)
        studio.approve(users["omar"], d.draft_id)
    assert templates_dir(cfg) != before.dir
    assert before.by_id[TID].version == old and TemplateStore.load(before.dir, cfg).by_id[TID].version == old
    assert TemplateStore.load(templates_dir(cfg), cfg).by_id[TID].version == d.version
