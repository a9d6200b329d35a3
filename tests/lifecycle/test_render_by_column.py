"""The planner renders by column (contexts from Arrow, templating/batch.py) and records exactly what the
row-by-row path records: the same contacts, wording, failures, survey invitations and offers, on a
generated book's real day (both languages, SMS, e-mail and letters, surveys, offers with menus, and
contacts that cannot be rendered). The contexts it builds are template_context's, key for key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from loan_comms import db
from loan_comms.arrangements.offers import OfferLinks, menu_entry
from loan_comms.book.synthetic import generate_book
from loan_comms.clock import plan_instant
from loan_comms.lifecycle import planner, rendering
from loan_comms.lifecycle.planner import decide, plan_day
from loan_comms.lifecycle.rendering import template_context
from loan_comms.paths import TEMPLATES_DIR
from loan_comms.surveys.planning import SurveyLinks
from loan_comms.templating import TemplateStore

DAY = date(2026, 11, 12)


class RowByRow:
    """The template library through render_many only: one dict per contact, rendered one at a time."""

    def __init__(self, store: TemplateStore) -> None:
        self.store = store

    def render_many(self, kind: str, channel: str, language: str, ctxs: list[dict[str, Any]]) -> list[Any]:
        return self.store.render_many(kind, channel, language, ctxs)


class Capture:
    """Keeps every context it is given, in order."""

    def __init__(self) -> None:
        self.ctxs: list[dict[str, Any]] = []

    def render_many(self, kind: str, channel: str, language: str, ctxs: list[dict[str, Any]]) -> list[Any]:
        self.ctxs += ctxs
        return [ValueError("captured only")] * len(ctxs)


@pytest.fixture(scope="module")
def shipped(cfg) -> TemplateStore:
    return TemplateStore.load(TEMPLATES_DIR, cfg)


@pytest.fixture(scope="module")
def day_before(tmp_path_factory, cfg, shipped) -> Path:
    """A generated book with the day before planned, and some loans in a currency no template can
    print (their contacts fail to render, one by one)."""
    path = tmp_path_factory.mktemp("book") / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=1500, seed=5, start=DAY)
    con.execute("UPDATE loans SET currency = 'bad' WHERE hash(loan_id) % 40 = 0")
    plan_day(con, cfg, shipped, date(2026, 11, 11))
    con.close()
    return path


def opened(day_before: Path, tmp_path: Path, name: str):
    copy = tmp_path / name
    shutil.copy(day_before, copy)
    return db.connect(copy)


RECORDED = {
    "contacts": "SELECT attempt_id, status, error, template_id, template_version, language FROM contact_attempts "
                "WHERE planned_for_date = $day ORDER BY attempt_id",
    "wording": "SELECT m.* FROM contact_messages AS m JOIN contact_attempts AS a USING (attempt_id) "
               "WHERE a.planned_for_date = $day ORDER BY attempt_id",
    "surveys": "SELECT * EXCLUDE (expires_at) FROM survey_invitations ORDER BY attempt_id",
    "offers": "SELECT * FROM arrangement_offers ORDER BY attempt_id",
    "options": "SELECT * FROM arrangement_offer_options ORDER BY token, option_no",
}


def test_the_day_records_what_row_by_row_rendering_records(day_before, tmp_path, cfg, shipped):
    batched, reference = opened(day_before, tmp_path, "a.duckdb"), opened(day_before, tmp_path, "b.duckdb")
    got = plan_day(batched, cfg, shipped, DAY)
    want = plan_day(reference, cfg, RowByRow(shipped), DAY)
    assert got.render_failed == want.render_failed and got.planned == want.planned
    for name, query in RECORDED.items():
        assert batched.execute(query, {"day": DAY} if "$day" in query else {}).fetchall() == \
            reference.execute(query, {"day": DAY} if "$day" in query else {}).fetchall(), name
    # the day had the variety this test is for
    kinds = batched.execute("SELECT DISTINCT channel, language FROM contact_attempts WHERE planned_for_date = $day "
                            "AND template_id IS NOT NULL", {"day": DAY}).fetchall()
    assert {c for c, _ in kinds} == {"sms", "email", "letter"} and {lang for _, lang in kinds} == {"en", "zh-CN"}
    assert sum(got.render_failed.values()) > 0 and got.offers > 0
    assert batched.execute("SELECT count(*) FROM survey_invitations").fetchone()[0] > 0


def test_the_contexts_are_template_contexts(day_before, tmp_path, cfg):
    con = opened(day_before, tmp_path, "c.duckdb")
    now = plan_instant(DAY)
    decide(con, cfg, DAY, now)
    params = planner._params(cfg, DAY, now, now)
    inputs = db.arrow(con, "lifecycle/plan/render_inputs", {**params, "pay_link_base": cfg.general.pay_link_base,
                                                             "survey_link_base": cfg.general.survey_link_base})
    batch = inputs.combine_chunks().to_batches()[0]
    offers = OfferLinks(cfg).attach(con, batch, DAY)
    links = SurveyLinks(cfg)
    want = []
    for i, row in enumerate(batch.to_pylist()):
        row["survey_token"] = links.token(row["idempotency_key"]) if row["purpose"] == "survey" else None
        row.update(offers.get(i, {}))
        want.append(template_context(row, cfg))
    cap = Capture()
    list(rendering.rendered_batches(con, cfg, cap, params, 10**6, None))
    assert cap.ctxs == want
    assert any(c["plan_options"] for c in want) and any("survey" in c["survey_link"] for c in want)
    # each menu entry is what menu_entry makes of the whole option, schedule included (offer_menu.sql
    # gives only the first payment's date)
    cur = con.execute("SELECT * FROM offer_options")
    options = {(r["idempotency_key"], r["option_no"]): r
               for r in (dict(zip([d[0] for d in cur.description], t)) for t in cur.fetchall())}
    menus = [(row, c) for row, c in zip(batch.to_pylist(), want) if c["plan_options"]]
    assert menus
    for row, c in menus:
        for entry in c["plan_options"]:
            assert entry == menu_entry(options[(row["idempotency_key"], entry["no"])], row["language"])
    assert any(e["first_due"] for _, c in menus for e in c["plan_options"])
