"""The call-queue deployment: per-team table artifacts and the capacity/carry-over summary (masked),
the per-team files beside the book, the dialer hand-off once, and a push that leaves calls in doubt
fails the run loudly after recording what did go."""

from __future__ import annotations

import pytest

from loan_comms import db
from loan_comms.calls import roster as roster_mod
from loan_comms.calls.fake_dialer import FakeDialer
from loan_comms.calls.roster import DialerSettings
from tests.calls.queue_book import DAY, PHONES, day_book
from tests.flows.test_ops_flows import read_artifacts

pytestmark = pytest.mark.slow


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    day_book(con)
    con.close()
    return path


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", "flow-token")
    real = roster_mod.roster_for
    # Import the users of roster_for BEFORE patching: a module first imported while the patch is on would
    # bind the patched function for good (monkeypatch then "restores" it), and the dialer would leak
    # into every later test of the session.
    import flows.call_queue  # noqa: F401
    import tasks.call_queue  # noqa: F401
    with FakeDialer(token="flow-token") as dialer:
        def with_dialer(cfg):
            return real(cfg).model_copy(update={"dialer": DialerSettings(kind="http", url=dialer.url,
                                                                         reconcile_after_seconds=0)})
        for module in ("loan_comms.calls.roster", "flows.call_queue", "tasks.call_queue"):
            monkeypatch.setattr(f"{module}.roster_for", with_dialer)
        yield dialer


def test_the_flow_publishes_capacity_carry_over_and_team_tables_then_pushes_once(book, fake):
    from flows.call_queue import build_call_queue

    out = build_call_queue(as_of=DAY, db_path=str(book))
    assert out["calls"] == 4 and out["dialer"]["pushed"] == 4
    summary = read_artifacts(f"call-queue-summary-{DAY}")[0]["data"]
    assert "**4** calls assigned, **2** carried" in summary
    assert "Carried by reason: agent_capacity 1, no_agent_today 1" in summary
    assert "| zh-CN/apac | 3 | 1 | agent_capacity 1 | 2 | 3/5 (60%) |" in summary
    table = read_artifacts(f"call-queue-{DAY}-zh-cn-apac")[0]["data"]
    assert "+86****78" in table and "A-zh-01" in table
    dialer_md = read_artifacts(f"dialer-push-{DAY}")[0]["data"]
    assert "pushed 4" in dialer_md
    for text in (summary, table, dialer_md):
        assert not any(p[3:] in text for p in PHONES.values()) and "Wang" not in text
    assert (book.parent / "exports" / "call_queue" / DAY.isoformat() / "zh-CN-apac.csv").exists()
    again = build_call_queue(as_of=DAY, db_path=str(book))
    assert again["dialer"]["posts"] == 0 and fake.stats()["received"] == 4


def test_a_push_left_in_doubt_fails_the_run_after_recording_what_went(book, fake):
    from flows.call_queue import build_call_queue

    fake.inject("500")
    with pytest.raises(Exception, match="dialer hand-off needs attention"):
        build_call_queue(as_of=DAY, db_path=str(book))
    con = db.connect(book, read_only=True)
    assert con.execute("SELECT state, count(*) FROM dialer_pushes GROUP BY ALL").fetchall() == [("unknown", 4)]
    con.close()
    assert build_call_queue(as_of=DAY, db_path=str(book))["dialer"]["found"] == 4
    assert fake.stats()["duplicates"] == 0
