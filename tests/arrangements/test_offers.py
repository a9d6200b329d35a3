"""Offers on the day's contacts: a hardship request -> the day's hardship_offer carries the options,
the link and recorded offer rows; a re-run records nothing new; a dry run shows them and records
nothing; a missing key sends the offer without a link and says so in the report."""

from __future__ import annotations

from datetime import date

import pytest

from loan_comms.arrangements.tokens import TOKEN_KEY_ENV, offer_token
from loan_comms.lifecycle.planner import plan_day
from loan_comms.surveys.tokens import attempt_id_for
from tests.arrangements.conftest import in_arrears

DAY = date(2026, 11, 6)


class Capture:
    """A renderer that keeps each context it was given."""

    def __init__(self) -> None:
        self.ctxs: list[tuple[str, str, dict]] = []

    def render_many(self, kind, channel, language, ctxs):
        from types import SimpleNamespace
        self.ctxs += [(kind, channel, c) for c in ctxs]
        return [SimpleNamespace(template_id=f"{channel}/{language}/{kind}", template_version="t", language=language,
                                subject="s" if channel == "email" else None, text="t", html=None) for _ in ctxs]


@pytest.fixture
def asked(con, book, monkeypatch):
    monkeypatch.setenv(TOKEN_KEY_ENV, "k" * 32)
    in_arrears(book)
    return con


def offers_of(capture: Capture) -> list[tuple[str, dict]]:
    return [(ch, c) for kind, ch, c in capture.ctxs if kind == "hardship_offer"]


def test_the_hardship_offer_carries_options_and_a_link_recorded_with_it(asked, cfg):
    cap = Capture()
    report = plan_day(asked, cfg, cap, DAY)
    sent = offers_of(cap)
    assert sent, report
    channel, ctx = next((ch, c) for ch, c in sent if ch == "sms")
    assert ctx["plan_link"].startswith(cfg.arrangements.link_base)
    assert [o["no"] for o in ctx["plan_options"]] == [1, 2, 3]             # the SMS menu: automatic ones, 3 at most
    assert ctx["plan_options"][0]["label"] == "欠款分3个月还" and ctx["plan_options"][0]["months"] == 3
    assert str(ctx["arrears"]) == "300.00"
    token = ctx["plan_link"].removeprefix(cfg.arrangements.link_base)
    [(attempt_id, step, channel)] = asked.execute(
        "SELECT attempt_id, step, channel FROM arrangement_offers WHERE token = ?", [token]).fetchall()
    assert step == "hardship_offer" and channel == "sms"
    assert token == offer_token(b"k" * 32, attempt_id)
    opts = asked.execute("SELECT option_no, option_id, needs_review FROM arrangement_offer_options WHERE token = ? "
                         "ORDER BY 1", [token]).fetchall()
    assert opts == [(1, "respread_3", False), (2, "respread_6", False), (3, "holiday_1m", False),
                    (4, "reduced_50_6", True)]
    assert report.offers == len(sent) and report.offers_without_link == 0
    n = asked.execute("SELECT count(*) FROM arrangement_offers").fetchall()
    again = plan_day(asked, cfg, Capture(), DAY)
    assert again.already_planned
    assert asked.execute("SELECT count(*) FROM arrangement_offers").fetchall() == n


def test_a_dry_run_shows_the_options_and_records_nothing(asked, cfg):
    cap = Capture()
    plan_day(asked, cfg, cap, DAY, dry_run=True)
    assert offers_of(cap) and all(c["plan_options"] for _, c in offers_of(cap))
    assert asked.execute("SELECT count(*) FROM arrangement_offers").fetchall() == [(0,)]


def test_without_a_key_the_offer_goes_without_a_link(con, book, cfg, monkeypatch):
    from loan_comms.config import ProviderConfig
    in_arrears(book)
    real = cfg.model_copy(update={"providers": {**cfg.providers, "sms": ProviderConfig(kind="twilio")}})
    cap = Capture()
    report = plan_day(con, real, cap, DAY)
    sent = offers_of(cap)
    assert sent and all(c["plan_link"] is None and c["plan_options"] == [] for _, c in sent)
    assert report.offers_without_link == len(sent) and "WITHOUT a link" in str(report)
    assert con.execute("SELECT count(*) FROM arrangement_offers").fetchall() == [(0,)]


def test_a_contact_that_carries_no_offer_has_no_plan_data(asked, cfg):
    cap = Capture()
    plan_day(asked, cfg, cap, DAY)
    others = [c for kind, _, c in cap.ctxs if kind != "hardship_offer"]
    assert all(c["plan_link"] is None and c["plan_options"] == [] and c["plan"] is None for c in others)
    assert attempt_id_for  # the attempt id the token is derived from is the contact's own
