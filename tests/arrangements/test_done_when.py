"""Issue 15's "done when", end to end through the production entry points (nothing is written into an
arrangement table by the test):

    A borrower who writes 我失业了，能不能分期还？ is offered plans, accepts one on the page, gets
    reminders for the plan's installments instead of collection contact, and the arrangement reaches
    the core-banking export once.

The story runs once (module fixture `story`) on a DuckDB file, the way the daily-lifecycle flow runs
a day (plan_day, the page data export, the export pass, dispatch_day through the outbox provider, the
page data export the dispatch task makes), on the simulated clock of each day; what arrives comes as
files through the ingest flow's function (tasks.ingest.ingest_inbox): a Twilio inbound SMS, then the
choice the plan page wrote to its inbox. Each test below checks one clause of the done-when on what
the story recorded.

The book: B1 (zh-CN, cn profile, Shanghai) and the control B2, each with a loan of monthly ¥500
installments from 2026-06-28, unpaid: 10 days past due on the first day run (2026-07-08). B1 answers
the dpd_10 SMS with the sentence above; the next day's hardship offer lists the options, and B1
picks the one the SMS menu calls "分3期" (respread_3, option 1): three installments on the 9th of August, September and October, each the
arrears' third plus the contractual ¥500 that falls due in that plan month. B1 pays each on its date
and the plan is kept; B2 says nothing and climbs the ladder.

Days are run where something happens (the ladder's steps, the plan's reminders and dates, the days
after), not every calendar day, to keep the test under a minute; a skipped day is one the daily
run would not have contacted either borrower on for the plan (reminders are -3 and 0 days).

Clocks: the ingest flow's function lands with the wall clock as "now" and caps a reply's DateSent
and a choice's chosen_at at it, so the story is dated in the past (July to October 2026); the page
data, the export passes and the page itself are given the story's own instants. The page is driven
in headless Chromium when /usr/bin/chromium and playwright are there, else by the same form posts
over HTTP (the rest of the done-when still runs).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import httpx
import pytest

from loan_comms import db
from loan_comms.arrangements.export import export_arrangements
from loan_comms.arrangements.fake_core import FakeCore
from loan_comms.arrangements.web import export_offers, offers_file_for
from loan_comms.audit import run_audit
from loan_comms.clock import plan_instant
from loan_comms.config import LifecycleConfig
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.inbound.visits import ingest_visit_outcomes
from loan_comms.lifecycle.planner import plan_day
from loan_comms.pages import PageServer, plan_site
from tasks.common import template_store
from tasks.ingest import ingest_inbox
from tests.arrangements.export_helpers import SECRET, with_export
from tests.builders import Book

CHROMIUM = "/usr/bin/chromium"
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = date.fromisoformat
PHONE = {"B1": "+8613900000001", "B2": "+8613900000002"}
WORDS = "我失业了，能不能分期还？"
LINK = re.compile(r"https://pay\.example\.com/p/([A-Za-z0-9_-]{8,64})")
PLAN_DATES = (D("2026-08-09"), D("2026-09-09"), D("2026-10-09"))
PLAN_AMOUNTS = ("666.67", "666.67", "666.66")       # 500/3 (last takes the rest) + the ¥500 falling due
# The days run after the choice: the confirmation, the ladder's (dpd 20, the visit notice, dpd 30,
# dpd 60), the contractual reminders the plan replaces (Jul 25, 28), the plan's reminders (-3, 0), the
# day a first miss would show (Aug 11), the thank-you, and the next contractual installment's reminder.
LATER_DAYS = ("2026-07-10", "2026-07-18", "2026-07-21", "2026-07-25", "2026-07-28", "2026-08-06", "2026-08-09",
              "2026-08-11", "2026-08-27", "2026-09-06", "2026-09-09", "2026-10-06", "2026-10-09", "2026-10-10",
              "2026-10-25")
VISIT_DAY = D("2026-07-28")                         # B2's dpd_30 step is a home visit
RESPREAD_3 = "欠款分3个月还"                         # the option's zh-CN label, as the page shows it
TABLES = ("contact_attempts", "outbox_messages", "borrower_events", "arrangements", "arrangement_installments",
          "arrangement_offers", "arrangement_exports", "payment_feed", "import_quarantine")


def local(day: str | date, at: str) -> datetime:
    """A Shanghai wall time as a UTC instant."""
    return datetime.combine(D(str(day)), time.fromisoformat(at), SHANGHAI).astimezone(UTC)


@dataclass
class Story:
    """What the story saw on its way, for the tests to judge."""

    con: Any
    path: Path
    offer_sms: str = ""
    page: dict[str, str] = field(default_factory=dict)        # what the borrower read on the page
    arrangement_id: str = ""
    accept_passes: int = 0                                    # export passes until the accepted record settled
    core_after_accept: dict[str, Any] = field(default_factory=dict)
    core: dict[str, Any] = field(default_factory=dict)
    bodies: list[dict[str, Any]] = field(default_factory=list)  # what the core banking system stored
    export_lines: list[dict[str, Any]] = field(default_factory=list)
    replay: dict[str, tuple[int, int]] = field(default_factory=dict)   # table -> (before, after)
    replay_core: tuple[int, int] = (0, 0)

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def attempts(self, borrower: str) -> list[dict[str, Any]]:
        return self.rows("SELECT planned_for_date AS day, step, purpose, channel, status, suppressed_reason, "
                         "installment_no FROM contact_attempts WHERE borrower_id = ? "
                         "ORDER BY planned_for_date, step, channel", borrower)


class Days:
    """The daily-lifecycle flow's steps for a day, on the day's own clock (the tasks take the wall
    clock): plan, the page data, the core-banking export pass, the day's dispatch, the page data again
    (the dispatch task's: the offers it sent open on the page)."""

    def __init__(self, con: Any, cfg: LifecycleConfig, path: Path) -> None:
        self.con, self.cfg, self.path = con, cfg, path
        self.store = template_store(cfg)
        self.offers = offers_file_for(path)

    def export(self, now: datetime) -> Any:
        return export_arrangements(self.con, self.cfg, db_path=self.path, day=now.date(), now=now)

    def run(self, day: date) -> None:
        plan_day(self.con, self.cfg, self.store, day)
        export_offers(self.con, self.cfg.arrangements, self.offers, now=plan_instant(day))
        self.export(local(day, "07:30"))
        dispatch_day(self.con, self.cfg, day)
        export_offers(self.con, self.cfg.arrangements, self.offers, now=local(day, "22:00"))


def counts(con: Any) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def drop(folder: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    """A complete file in a drop folder (written aside, then renamed, as the ingest wants)."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{name}"
    part.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return part.rename(folder / name)


def choose_on_page(url: str, label: str) -> dict[str, str]:
    """The borrower opens the link, picks the option named `label`, confirms, reads the thanks; in
    headless Chromium when there is one, else the same requests by hand (the page is plain forms)."""
    sync_api = None
    if os.path.exists(CHROMIUM):
        try:
            from playwright import sync_api
        except ImportError:
            sync_api = None
    if sync_api is None:
        return _choose_by_http(url, label)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 740})
            response = page.goto(url)
            seen = {"status": str(response.status if response else None), "arrears": page.inner_text("#arrears"),
                    "options": page.inner_text("#options")}
            page.locator("#options form.option", has_text=label).locator("button[type=submit]").click()
            seen["confirm"] = page.inner_text("#confirm") + page.inner_text("#summary")
            page.click("#confirm-button")
            seen["thanks"] = page.inner_text("#thanks")
            seen["browser"] = "chromium"
            return seen
        finally:
            browser.close()


def _choose_by_http(url: str, label: str) -> dict[str, str]:
    page = httpx.get(url)
    blocks = re.findall(r'<form class="option".*?</form>', page.text, flags=re.S)
    picked = next(b for b in blocks if label in b)
    no = re.search(r'name="option_no" value="(\d+)"', picked)
    assert no is not None
    confirm = httpx.post(url, data={"option_no": no.group(1)})
    thanks = httpx.post(url, data={"option_no": no.group(1), "confirm": "yes"})
    return {"status": str(page.status_code), "arrears": "¥500.00" if "¥500.00" in page.text else page.text,
            "options": page.text, "confirm": confirm.text, "thanks": thanks.text, "browser": "http"}


@pytest.fixture(scope="module")
def story(cfg: LifecycleConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    tmp = tmp_path_factory.mktemp("done_when")
    path, inbox = tmp / "book.duckdb", tmp / "inbox"
    with pytest.MonkeyPatch.context() as mp, FakeCore(secret=SECRET) as core:
        for name in [n for n in os.environ if n.startswith("LOAN_COMMS_")]:
            mp.delenv(name)
        mp.setenv("LOAN_COMMS_PLAN_TOKEN_KEY", "done-when-plan-token-key-0123456789")
        mp.setenv("LOAN_COMMS_ARRANGEMENT_SECRET", SECRET)
        core.inject("lost", "502")          # the first POST stored and its answer lost, the second's a 502
        live = with_export(cfg, url=core.url, lookup_url=core.lookup_url)
        con = db.connect(str(path))
        try:
            s = Story(con, path)
            book = Book(con)
            for b, loan in (("B1", "L1"), ("B2", "L2")):
                book.borrower(b, phone=PHONE[b], name="王 伟", language="zh-CN", jurisdiction="cn")
                book.loan(loan, b, [(f"2026-{m:02d}-28", "500.00") for m in range(6, 13)])
            days = Days(con, live, path)

            # 10 days past due: both get dpd_10; B1 answers it by SMS (a Twilio inbound file)
            days.run(D("2026-07-08"))
            drop(inbox / "replies", "twilio-0708.jsonl", [
                {"MessageSid": "SMdonewhen0001", "From": PHONE["B1"], "To": "+8610690000",
                 "Body": WORDS, "DateSent": local("2026-07-08", "10:30").isoformat()}])
            ingest_inbox(con, live, inbox, log=lambda _: None)

            # the next day: the offer by SMS (menu and link) and e-mail; its link opens on the page
            days.run(D("2026-07-09"))
            sms = s.rows("SELECT o.body_text FROM outbox_messages AS o JOIN contact_attempts AS a USING (attempt_id) "
                         "WHERE a.borrower_id = 'B1' AND a.step = 'hardship_offer' AND a.channel = 'sms'")
            assert len(sms) == 1, "one hardship offer SMS went"
            s.offer_sms = sms[0]["body_text"]
            found = LINK.search(s.offer_sms)
            assert found, s.offer_sms
            chosen_at = local("2026-07-09", "12:00")
            srv = PageServer([plan_site(days.offers, inbox, flush_seconds=3600, clock=lambda: chosen_at)]).start()
            try:
                s.page = choose_on_page(srv.url(f"/p/{found.group(1)}"), RESPREAD_3)
            finally:
                srv.stop()                    # flushes the page's inbox file

            # the ingest flow lands the page's file; its export pass runs until the record settles
            ingest_inbox(con, live, inbox, log=lambda _: None)
            ids = s.rows("SELECT arrangement_id FROM arrangements")
            assert len(ids) == 1, "the choice made one plan"
            s.arrangement_id = ids[0]["arrangement_id"]
            now = local("2026-07-09", "12:05")
            for s.accept_passes in range(1, 6):
                report = days.export(now)
                if report.totals.get("delivered") == 1 and not report.needs_operator:
                    break
                now += timedelta(seconds=int(live.arrangements.export.reconcile_after_seconds) + 1)
            s.core_after_accept = core.stats()

            # the plan's life: B1 pays each plan installment on its date
            for day in map(D, LATER_DAYS):
                days.run(day)
                if day == VISIT_DAY:          # the field team reports B2's visit (ingest-visit-outcomes)
                    visit = s.rows("SELECT attempt_id, agent_ids FROM contact_attempts LEFT JOIN visit_assignments "
                                   "USING (attempt_id) WHERE contact_attempts.borrower_id = 'B2' "
                                   "AND channel = 'visit' AND status IN ('sent', 'delivered')")
                    assert len(visit) == 1, "the control's visit went"
                    ingest_visit_outcomes(con, drop(tmp / "field", "visits-0728.jsonl", [   # by the assigned pair
                        {"attempt_id": visit[0]["attempt_id"], "outcome": "not_home",
                         "collectors": visit[0]["agent_ids"] or ["FC01", "FC02"],
                         "occurred_at": local(day, "15:00").isoformat()}]), now=local(day, "20:00"),
                        min_collectors=live.visits.min_collectors)
                if day in PLAN_DATES:
                    book.pay("L1", PLAN_AMOUNTS[PLAN_DATES.index(day)], local(day, "10:00").isoformat())
            days.export(local("2026-10-26", "09:00"))     # the kept record's 502 settles by the lookup
            s.core = core.stats()
            s.bodies = [{"id": r["export_id"], **json.loads(r["body"])} for r in core.state.received]
            for f in sorted((path.parent / "exports" / "arrangements").glob("*.jsonl")):
                s.export_lines += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines()]

            # replay: every day again (in another order), the same files again, more export passes
            before, core_before = counts(con), core.stats()["received"]
            for day in [D("2026-10-09"), D("2026-07-08"), D("2026-07-09"), *map(D, LATER_DAYS)]:
                days.run(day)
            for kind in ("replies", "arrangement_choices"):
                for f in (inbox / "processed" / kind).iterdir():
                    drop(inbox / kind, f"again-{f.name.split('-', 1)[-1]}", [
                        json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()])
            ingest_inbox(con, live, inbox, log=lambda _: None)
            days.export(local("2026-10-27", "09:00"))
            s.replay = {t: (before[t], n) for t, n in counts(con).items()}
            s.replay_core = (core_before, core.stats()["received"])
            yield s
        finally:
            con.close()


def test_the_words_are_read_as_hardship_and_offered_plans_by_sms_with_menu_and_link(story):
    events = story.rows("SELECT kind, loan_id, occurred_at FROM borrower_events WHERE borrower_id = 'B1' "
                        "AND kind IN ('sms_reply', 'hardship_request') ORDER BY kind")
    assert [e["kind"] for e in events] == ["hardship_request", "sms_reply"]
    assert events[0]["occurred_at"] == local("2026-07-08", "10:30")
    offer = [(a["day"], a["channel"], a["status"]) for a in story.attempts("B1") if a["step"] == "hardship_offer"]
    assert offer == [(D("2026-07-09"), "email", "sent"), (D("2026-07-09"), "sms", "sent")]
    assert "回复1：分3期，首期¥666.67，共¥2,000.00" in story.offer_sms, story.offer_sms     # the menu ...
    assert LINK.search(story.offer_sms)                                         # ... and the link
    assert not story.rows("SELECT * FROM contact_attempts WHERE borrower_id = 'B2' AND step = 'hardship_offer'")


def test_the_borrower_accepts_on_the_page(story):
    page = story.page
    assert page["status"] == "200" and "¥500.00" in page["arrears"]
    assert RESPREAD_3 in page["options"] and "请确认" in page["confirm"] and RESPREAD_3 in page["confirm"]
    assert "谢谢" in page["thanks"]
    plan = story.rows("SELECT * FROM arrangements")[0]
    assert (plan["borrower_id"], plan["loan_id"], plan["option_id"], plan["source"], plan["status"]) == (
        "B1", "L1", "respread_3", "web", "active")
    assert plan["decided_at"] == local("2026-07-09", "12:00")
    schedule = story.rows("SELECT due_date, amount FROM arrangement_installments ORDER BY installment_no")
    assert [(r["due_date"], str(r["amount"])) for r in schedule] == list(zip(PLAN_DATES, PLAN_AMOUNTS))
    accepted = story.rows("SELECT external_id, source FROM borrower_events WHERE kind = 'arrangement_accepted'")
    assert accepted == [{"external_id": f"arr:{story.arrangement_id}:accepted", "source": "arrangement_web"}]


def test_the_plan_gets_its_own_reminders_not_collection(story):
    b1 = story.attempts("B1")
    plan_steps = [(a["day"], a["step"], a["channel"], a["installment_no"], a["status"]) for a in b1
                  if a["step"].startswith("arrangement_")]
    reminders = [(d, n) for d, step, ch, n, st in plan_steps if step == "arrangement_reminder" and ch == "sms"
                 and st == "sent"]
    assert reminders == [(D("2026-08-06"), 1), (D("2026-08-09"), 1), (D("2026-09-06"), 2), (D("2026-09-09"), 2),
                         (D("2026-10-06"), 3), (D("2026-10-09"), 3)], plan_steps
    assert (D("2026-07-10"), "arrangement_confirmed", "sms", None, "sent") in plan_steps
    assert not [p for p in plan_steps if p[1] in ("arrangement_missed", "arrangement_reoffer")]
    running = [a for a in b1 if D("2026-07-09") < a["day"] <= PLAN_DATES[-1]]
    went = {a["step"] for a in running if a["status"] in ("planned", "sent", "delivered")}
    assert went == {"arrangement_confirmed", "arrangement_reminder"}, f"only the plan's own contacts went: {went}"
    held = [a for a in running if a["purpose"] in ("escalation", "reminder")]
    assert {a["step"] for a in held} >= {"dpd_20", "pre_due_3", "due_today"}, "proposed while the plan ran ..."
    assert {(a["status"], a["suppressed_reason"]) for a in held} == {("suppressed", "arrangement_active")}, held


def test_the_control_borrower_climbs_the_ladder(story):
    climbed = [(a["day"], a["step"]) for a in story.attempts("B2")
               if a["purpose"] == "escalation" and a["status"] in ("sent", "delivered")]
    steps = [s for _, s in climbed]
    assert steps[:1] == ["dpd_10"] and {"dpd_20", "dpd_30", "dpd_60_handoff"} <= set(steps), climbed
    assert not story.rows("SELECT * FROM contact_attempts WHERE borrower_id = 'B2' AND step LIKE 'arrangement_%'")


def test_the_arrangement_reaches_the_core_banking_export_once(story):
    accepted = f"{story.arrangement_id}:accepted"
    assert story.core_after_accept["received"] == 1 and story.core_after_accept["duplicates"] == 0
    assert story.accept_passes == 2, "the lost answer is settled by the lookup on the next pass, not resent"
    assert story.core["duplicates"] == 0
    stored = [b["id"] for b in story.bodies]
    assert stored.count(accepted) == 1 and sorted(stored) == sorted([accepted, f"{story.arrangement_id}:kept"])
    body = next(b for b in story.bodies if b["id"] == accepted)
    assert body["loan_ids"] == ["L1"] and [i["amount"] for i in body["schedule"]] == list(PLAN_AMOUNTS)
    assert "王" not in json.dumps(body, ensure_ascii=False) and PHONE["B1"] not in json.dumps(body)
    filed = [line["export_id"] for line in story.export_lines]
    assert filed.count(accepted) == 1 and len(filed) == 2
    statuses = story.rows("SELECT export_id, status FROM arrangement_exports ORDER BY export_id")
    assert {r["status"] for r in statuses} == {"delivered"} and len(statuses) == 2


def test_the_plan_is_kept_and_the_loan_back_to_normal(story, cfg):
    aid = story.arrangement_id
    plan_events = {e["external_id"]: e["occurred_at"] for e in story.rows(
        "SELECT external_id, occurred_at FROM borrower_events WHERE kind LIKE 'arrangement_%'")}
    paid = [local(d, "10:00") for d in PLAN_DATES]
    assert plan_events == {f"arr:{aid}:accepted": local("2026-07-09", "12:00"), f"arr:{aid}:payment:1": paid[0],
                           f"arr:{aid}:payment:2": paid[1], f"arr:{aid}:payment:3": paid[2],
                           f"arr:{aid}:kept": paid[2]}, "kept at the instant of the last plan payment"
    thanks = [(a["day"], a["status"]) for a in story.attempts("B1") if a["step"] == "arrangement_kept"]
    assert thanks == [(D("2026-10-10"), "sent")]
    episodes = story.rows("SELECT closed_on FROM delinquency_episodes WHERE loan_id = 'L1'")
    assert episodes == [{"closed_on": D("2026-10-10")}], "closed by the first day run after the last payment"
    after = {(a["day"], a["step"], a["channel"]): a["status"] for a in story.attempts("B1")
             if a["day"] > D("2026-10-10")}
    assert after[(D("2026-10-25"), "pre_due_3", "sms")] == "sent", "the next installment's reminders are normal"
    report = run_audit(story.con, cfg)
    assert report.ok, str(report)


def test_replay_records_nothing_new(story):
    changed = {t: v for t, v in story.replay.items() if v[0] != v[1]}
    assert not changed, f"re-running the days and the files recorded something new: {changed}"
    assert story.replay_core[0] == story.replay_core[1], "nothing was sent to the core banking system again"
