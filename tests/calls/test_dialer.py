"""The dialer hand-off: every assigned call reaches the dialer once and only once, whatever the wire
does, and a call the policy withdrew is cancelled there once. The fake dialer, like a real one,
does NOT deduplicate: a blind retry would queue a call twice, and `duplicates` would say so."""

from __future__ import annotations

import json
import socket
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from loan_comms.calls.dialer import DialerConfigError, payloads_of, push_calls
from loan_comms.calls.fake_dialer import FakeDialer
from loan_comms.calls.roster import DialerSettings, Roster, RosterError, load_roster, roster_for
from loan_comms.delivery.providers.secrets import MissingSecret
from tests.calls.queue_book import DAY, PHONES, day_book

TOKEN = "dialer-test-token"
EVE = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)    # the evening before DAY's slots (the wall clock is later)
WANTED = {"c1", "c2", "c3", "c4"}           # the day's assigned calls, still planned or released


@pytest.fixture
def con(con):
    return day_book(con)


@pytest.fixture
def dialer(monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", TOKEN)
    with FakeDialer(token=TOKEN) as fake:
        yield fake


def roster(cfg, **dialer: object) -> Roster:
    return roster_for(cfg).model_copy(update={"dialer": DialerSettings(**dialer)})  # type: ignore[arg-type]


def http(cfg, fake: FakeDialer, **extra: object) -> Roster:
    settings: dict[str, object] = {"kind": "http", "url": fake.url, "reconcile_after_seconds": 0, "max_tries": 3}
    return roster(cfg, **(settings | extra))


def states(con) -> dict[str, str]:
    return dict(con.execute("SELECT attempt_id, state FROM dialer_pushes").fetchall())


def no_sleep(_: float) -> None:
    return None


def settle(con, r: Roster, passes: int = 6):
    """Run passes until nothing is left open (what the hourly dispatch and the next runs do)."""
    report = None
    for _ in range(passes):
        report = push_calls(con, r, DAY, sleep=no_sleep, now=EVE)   # before the slots, as the hand-off runs
        if not report.needs_operator:
            return report
    return report


def assert_once(con, fake: FakeDialer, wanted: set[str] = WANTED) -> None:
    """The dialer holds each wanted call exactly once, as the id the table records; a call it got
    twice is only one whose agent or slot changed, the old one cancelled (replaced_refs)."""
    s = fake.stats()
    replaced = con.execute("SELECT coalesce(sum(len(replaced_refs)), 0) FROM dialer_pushes").fetchone()[0]
    assert s["duplicates"] == replaced and s["live_duplicates"] == 0, s["duplicated_refs"]
    live = {c["ref"]: c["_id"] for c in fake.live()}
    assert set(live) == wanted
    recorded = dict(con.execute("SELECT attempt_id, dialer_ref FROM dialer_pushes WHERE state = 'sent'").fetchall())
    assert recorded == live


def test_each_assigned_call_goes_once_with_the_unmasked_number_and_nothing_else_personal(con, cfg, dialer):
    report = push_calls(con, http(cfg, dialer), DAY)
    assert (report.pushed, report.posts, report.needs_operator) == (4, 1, False)
    assert_once(con, dialer)
    call = next(c for c in dialer.live() if c["ref"] == "c4")
    assert set(call) - {"_id"} == {"ref", "plan_date", "team", "agent_id", "slot_start", "slot_end", "dial_until",
                                   "max_dials", "phone", "language", "timezone", "loan_id", "step",
                                   "priority_score", "priority_reasons"}
    assert call["phone"] == PHONES["B-ny"] and call["timezone"] == "America/New_York"
    assert (call["agent_id"], call["slot_start"], call["max_dials"]) == ("A-am-01", "2026-11-10T13:20:00Z", 2)
    assert call["priority_reasons"][0] == {"factor": "dpd", "value": 5, "points": 2.5}
    assert "Wang" not in json.dumps(dialer.live())
    # Re-running the day (any number of times) sends nothing new.
    again = push_calls(con, http(cfg, dialer), DAY)
    assert (again.posts, again.pushed) == (0, 0)
    assert dialer.stats()["received"] == 4
    # What the table keeps is ids and a hash: never the number.
    assert PHONES["B-ny"] not in str(con.execute("SELECT * FROM dialer_pushes").fetchall())


@pytest.mark.parametrize("fault", ["lost", "500", "slow", "refuse"])
def test_a_push_whose_answer_is_lost_is_looked_up_never_sent_blindly(con, cfg, dialer, fault):
    dialer.inject(fault, slow_seconds=0.6)
    r = http(cfg, dialer, timeout_seconds=0.3, batch=2)
    first = push_calls(con, r, DAY, sleep=no_sleep, now=EVE)
    assert first.unknown == 2 and first.needs_operator              # loud: the first batch's fate is unknown
    assert set(states(con).values()) == {"unknown", "sent"}
    second = push_calls(con, r, DAY, sleep=no_sleep, now=EVE)       # before the slots: absent is safe to push
    stored = fault != "refuse"                                      # refused before reading: nothing stored
    assert (second.found, second.absent, second.pushed) == ((2, 0, 0) if stored else (0, 2, 2))
    assert not second.needs_operator, second
    assert_once(con, dialer)


def test_a_call_absent_from_the_list_after_its_slot_began_is_never_pushed_again(con, cfg, dialer):
    """Absent from the dialer's list once its slot has begun (or once an outcome came back), a call
    may have been dialled and dropped by a dialer that forgets completed calls: pushing it again
    would give it a fresh max_dials. It stays unknown, loud, for a person."""
    dialer.inject("refuse")                                         # nothing stored, the answer lost
    r = http(cfg, dialer, batch=4)
    push_calls(con, r, DAY, sleep=no_sleep, now=EVE)
    assert set(states(con).values()) == {"unknown"}
    after = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)                # c1, c3 (slot 00:00) have begun; c2 at 00:10
    report = push_calls(con, r, DAY, sleep=no_sleep, now=after)
    assert report.absent_unsure == 3 and report.absent == 1 and report.needs_operator, report
    assert states(con) == {"c1": "unknown", "c2": "unknown", "c3": "unknown", "c4": "sent"}
    assert {c["ref"] for c in dialer.live()} == {"c4"}
    error = con.execute("SELECT error FROM dialer_pushes WHERE attempt_id = 'c1'").fetchone()[0]
    assert "NOT pushed again; a person must check" in error and "NOT pushed again" in str(report)
    # c4's slot (13:20) had not begun but an outcome came back for it: the same.
    con.execute("UPDATE dialer_pushes SET state = 'unknown', dialer_ref = NULL WHERE attempt_id = 'c4'")
    dialer.state.calls = [c for c in dialer.state.calls if c["ref"] != "c4"]   # dialled, then dropped
    received = dialer.stats()["received"]
    con.execute("INSERT INTO borrower_events (external_id, borrower_id, kind, occurred_at, detail, source, recorded_at) "
                "VALUES ('e-c4', 'B-ny', 'call_outcome', TIMESTAMPTZ '2026-11-10 00:30:00+00', "
                "'{\"outcome\": \"no_answer\", \"attempt_id\": \"c4\"}', 'dialer', now())")
    push_calls(con, r, DAY, sleep=no_sleep, now=after)
    assert states(con)["c4"] == "unknown" and dialer.stats()["received"] == received


def test_a_404_on_a_changed_call_after_its_slot_began_is_not_pushed_again(con, cfg, dialer):
    r = http(cfg, dialer)
    push_calls(con, r, DAY, now=EVE)
    con.execute("UPDATE dialer_pushes SET dialer_ref = 'gone' WHERE attempt_id = 'c1'")   # the dialer dropped it
    con.execute("UPDATE call_assignments SET slot_start = slot_start + INTERVAL 30 MINUTE WHERE attempt_id = 'c1'")
    report = push_calls(con, r, DAY, now=datetime(2026, 11, 10, 1, 0, tzinfo=UTC))
    assert report.absent_unsure == 1 and report.pushed == 0 and report.needs_operator
    assert states(con)["c1"] == "unknown"
    assert dialer.stats()["received"] == 4                          # nothing new went


def test_a_404_on_a_changed_call_before_its_slot_is_pushed_anew(con, cfg, dialer):
    r = http(cfg, dialer)
    push_calls(con, r, DAY, now=EVE)
    con.execute("UPDATE dialer_pushes SET dialer_ref = 'gone' WHERE attempt_id = 'c1'")
    con.execute("UPDATE call_assignments SET slot_start = slot_start + INTERVAL 30 MINUTE WHERE attempt_id = 'c1'")
    report = push_calls(con, r, DAY, now=EVE)
    assert (report.replaced, report.pushed, report.absent_unsure) == (1, 1, 0)


def test_429_is_retried_after_its_retry_after_and_arrives_once(con, cfg, dialer):
    dialer.inject("429", "429")
    waits: list[float] = []
    report = push_calls(con, http(cfg, dialer), DAY, sleep=waits.append)
    assert (report.posts, report.retried, report.pushed) == (3, 2, 4)
    assert waits == [0.0, 0.0]                                      # the fake's Retry-After: 0
    assert_once(con, dialer)
    assert con.execute("SELECT max(tries) FROM dialer_pushes").fetchone()[0] == 3


def test_a_dialer_that_refuses_connections_is_loud_and_nothing_is_lost(con, cfg, dialer):
    with socket.socket() as s:                                      # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    down = roster(cfg, kind="http", url=closed, max_tries=3, reconcile_after_seconds=0)
    report = push_calls(con, down, DAY, sleep=no_sleep)
    assert (report.posts, report.not_sent, report.pushed) == (3, 4, 0)
    assert report.needs_operator and "did not take a request after 3 tries" in (report.halted or "")
    assert set(states(con).values()) == {"pending"}
    assert "pending 4" in str(report)
    # The dialer is back: each call once.
    report = push_calls(con, http(cfg, dialer), DAY, sleep=no_sleep)
    assert report.pushed == 4 and not report.needs_operator
    assert_once(con, dialer)


def test_an_unknown_push_is_never_resent_while_the_list_cannot_answer(con, cfg, dialer):
    r = http(cfg, dialer)
    dialer.inject("lost")
    push_calls(con, r, DAY)
    dialer.inject("lookup_502")
    blind = push_calls(con, r, DAY)
    assert (blind.lookup_failed, blind.posts, blind.needs_operator) == (4, 0, True)
    assert dialer.stats()["received"] == 4
    report = push_calls(con, r, DAY)
    assert (report.found, report.posts, report.needs_operator) == (4, 0, False)
    assert_once(con, dialer)


def test_an_unknown_push_waits_for_reconcile_after_seconds(con, cfg, dialer):
    r = http(cfg, dialer, reconcile_after_seconds=3600)
    dialer.inject("500")
    push_calls(con, r, DAY)
    report = push_calls(con, r, DAY)
    assert (report.found, report.absent, report.posts) == (0, 0, 0)
    assert report.needs_operator and set(states(con).values()) == {"unknown"}
    assert dialer.stats()["lookups"] == 0


def test_a_pass_that_died_in_flight_leaves_its_claim_unknown_then_found(con, cfg, dialer):
    r = http(cfg, dialer)
    push_calls(con, r, DAY)
    # As a crash between the POST and its record leaves it: claimed ('sending'), no id recorded.
    con.execute("UPDATE dialer_pushes SET state = 'sending', dialer_ref = NULL")
    report = push_calls(con, r, DAY)
    assert (report.crashed, report.found, report.posts) == (4, 4, 0)
    assert_once(con, dialer)


def test_a_call_the_policy_withdrew_after_the_push_is_cancelled_once(con, cfg, dialer):
    r = http(cfg, dialer)
    push_calls(con, r, DAY)
    con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'paid_since_plan' "
                "WHERE attempt_id = 'c2'")
    dialer.inject("delete_500")
    report = push_calls(con, r, DAY)
    assert (report.cancel_failed, report.needs_operator) == (1, True)       # the dialer still holds it: loud
    assert states(con)["c2"] == "cancel_due"
    report = push_calls(con, r, DAY)
    assert (report.cancelled, report.needs_operator) == (1, False)
    assert_once(con, dialer, WANTED - {"c2"})
    row = con.execute("SELECT state, cancel_reason, cancel_tries FROM dialer_pushes WHERE attempt_id = 'c2'").fetchone()
    assert row == ("cancelled", "withdrawn: suppressed: paid_since_plan", 2)
    assert dialer.stats()["cancelled"] == ["c2"]
    deletes = dialer.stats()["deletes"]
    push_calls(con, r, DAY)
    assert dialer.stats()["deletes"] == deletes                              # recorded: never cancelled again


def test_a_lost_cancel_answer_is_sent_again_harmlessly(con, cfg, dialer):
    r = http(cfg, dialer)
    push_calls(con, r, DAY)
    con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'dispute' WHERE attempt_id = 'c1'")
    dialer.inject("delete_lost")
    assert push_calls(con, r, DAY).needs_operator
    assert not push_calls(con, r, DAY).needs_operator
    assert states(con)["c1"] == "cancelled"
    assert_once(con, dialer, WANTED - {"c1"})


def test_a_call_whose_slot_changed_is_cancelled_then_pushed_anew(con, cfg, dialer):
    r = http(cfg, dialer)
    push_calls(con, r, DAY)
    old = con.execute("SELECT dialer_ref FROM dialer_pushes WHERE attempt_id = 'c1'").fetchone()[0]
    con.execute("UPDATE call_assignments SET agent_id = 'A-zh-02', slot_start = slot_start + INTERVAL 30 MINUTE "
                "WHERE attempt_id = 'c1'")
    report = push_calls(con, r, DAY)
    assert (report.replaced, report.pushed, report.cancelled) == (1, 1, 0)
    assert_once(con, dialer)
    live = next(c for c in dialer.live() if c["ref"] == "c1")
    assert (live["agent_id"], live["slot_start"]) == ("A-zh-02", "2026-11-10T00:30:00Z")
    assert con.execute("SELECT replaced_refs FROM dialer_pushes WHERE attempt_id = 'c1'").fetchone()[0] == [old]


def test_a_call_withdrawn_before_its_push_never_reaches_the_dialer(con, cfg, dialer):
    con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'opted_out' WHERE attempt_id = 'c3'")
    report = push_calls(con, http(cfg, dialer), DAY)
    assert report.pushed == 3
    assert_once(con, dialer, WANTED - {"c3"})
    assert "c3" not in states(con)
    # Pushed but refused, withdrawn, or not yet pushed: a pending call the policy then withdraws is 'withdrawn'.
    con.execute("UPDATE dialer_pushes SET state = 'pending', dialer_ref = NULL WHERE attempt_id = 'c4'")
    con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'paid' WHERE attempt_id = 'c4'")
    report = push_calls(con, http(cfg, dialer), DAY)
    assert (report.withdrawn, report.posts) == (1, 0)
    assert states(con)["c4"] == "withdrawn"


def test_a_refused_call_is_failed_and_loud_never_retried(con, cfg, dialer):
    dialer.inject("400")
    report = push_calls(con, http(cfg, dialer), DAY)
    assert (report.failed, report.posts) == (4, 1) and report.needs_operator
    again = push_calls(con, http(cfg, dialer), DAY)
    assert again.posts == 0 and again.needs_operator
    assert "failed 4" in str(again)
    assert again.alert("build-call-queue") is not None


def test_a_wrong_token_stops_the_pass(con, cfg, dialer, monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", "wrong-token")
    report = push_calls(con, http(cfg, dialer, batch=1), DAY)
    assert report.posts == 1 and "refused us (401)" in (report.halted or "")
    assert "wrong-token" not in str(report) + report.markdown()


def test_a_refusal_of_every_request_leaves_the_batch_pending_and_it_goes_once_fixed(con, cfg, dialer, monkeypatch):
    """A wrong token (401) stops the pass; the claimed batch nowhere arrived, so it goes back to
    pending with the error (not 'failed', which no pass ever pushes again): once the token is right
    the next pass pushes every call, once."""
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", "wrong-token")
    report = push_calls(con, http(cfg, dialer, batch=2), DAY)
    assert report.halted and report.needs_operator and report.failed == 0
    assert set(states(con).values()) == {"pending"}
    errors = {e for (e,) in con.execute("SELECT error FROM dialer_pushes WHERE error IS NOT NULL").fetchall()}
    assert len(errors) == 1 and "refused: 401" in errors.pop()
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", TOKEN)
    again = push_calls(con, http(cfg, dialer, batch=2), DAY)
    assert again.pushed == 4 and not again.needs_operator, again
    assert_once(con, dialer)


def test_no_double_under_a_storm_of_faults(con, cfg, dialer):
    """Random faults of every kind on half the POSTs, one call per request: however many
    passes it takes, the dialer ends up holding each call exactly once."""
    dialer.inject(rate=0.5, seed=4, kinds=["lost", "500", "slow", "refuse", "429"], slow_seconds=0.5)
    r = http(cfg, dialer, batch=1, timeout_seconds=0.25)
    report = settle(con, r, passes=12)
    assert not report.needs_operator, report
    assert sum(dialer.stats()["faults_injected"].values()) >= 2
    assert_once(con, dialer)


def test_the_file_dialer_writes_one_private_jsonl_per_team_and_rewrites_it_identically(con, cfg, tmp_path):
    r = roster(cfg, kind="file", folder=str(tmp_path / "drop"))
    report = push_calls(con, r, DAY)
    day = tmp_path / "drop" / DAY.isoformat()
    files = sorted(p.name for p in day.iterdir())
    assert files == ["en-americas.jsonl", "zh-CN-apac.jsonl"] and report.filed == 4
    zh = day / "zh-CN-apac.jsonl"
    assert stat.S_IMODE(zh.stat().st_mode) == 0o600
    calls = payloads_of(zh.read_text())
    assert [c["ref"] for c in calls] == ["c1", "c3", "c2"]                   # calling order: slot, then id
    assert calls[0]["phone"] == PHONES["B-zh"]
    first = zh.read_bytes()
    push_calls(con, r, DAY)
    assert zh.read_bytes() == first                                          # the same bytes, no doubles
    con.execute("UPDATE contact_attempts SET status = 'suppressed', suppressed_reason = 'paid' "
                "WHERE attempt_id IN ('c2', 'c4')")
    report = push_calls(con, r, DAY)
    assert [c["ref"] for c in payloads_of(zh.read_text())] == ["c1", "c3"]
    assert (day / "en-americas.jsonl").read_text() == ""                     # its only call withdrawn
    assert report.withdrawn == 2 and states(con)["c4"] == "withdrawn"
    assert not list(day.glob("*.part"))


def test_no_dialer_configured_pushes_nothing(con, cfg):
    report = push_calls(con, roster(cfg, kind="none"), DAY)
    assert report.kind == "none" and not report.needs_operator
    assert con.execute("SELECT count(*) FROM dialer_pushes").fetchone()[0] == 0


# --- [dialer] config: one clear line ----------------------------------------------------------------

def _agents_with(tmp_path: Path, dialer: str) -> Path:
    text = (Path(roster_for.__code__.co_filename).parents[2] / "config" / "agents.toml").read_text()
    start = text.index("[dialer]")
    end = text.index("# ----", start)
    path = tmp_path / "agents.toml"
    path.write_text(text[:start] + "[dialer]\n" + dialer + "\n\n" + text[end:])
    return path


@pytest.mark.parametrize("dialer, message", [
    ('kind = "fax"', "dialer.kind: Input should be 'none', 'http' or 'file'"),
    ('kind = "http"\nurl = "dialer.example.com"', "dialer.url: 'dialer.example.com' must start with http:// or https://"),
    ("max_tries = 0", "dialer.max_tries: Input should be greater than or equal to 1"),
    ("batch = 5000", "dialer.batch: Input should be less than or equal to 1000"),
    ('kind = "http"\nretries = 3', "dialer.retries: unknown key"),
])
def test_a_bad_dialer_section_is_one_line_naming_the_key(tmp_path, dialer, message):
    with pytest.raises(RosterError) as err:
        load_roster(_agents_with(tmp_path, dialer))
    assert message in str(err.value) and len(str(err.value).splitlines()) == 1


def test_an_http_dialer_needs_a_url_and_a_token(con, cfg, monkeypatch):
    with pytest.raises(DialerConfigError, match=r"dialer.url: required when dialer.kind = \"http\""):
        push_calls(con, roster(cfg, kind="http"), DAY)
    monkeypatch.setenv("LOAN_COMMS_DIALER_URL", "http://127.0.0.1:9")
    with pytest.raises(MissingSecret, match="LOAN_COMMS_DIALER_TOKEN"):
        push_calls(con, roster(cfg, kind="http"), DAY)
    monkeypatch.setenv("LOAN_COMMS_DIALER_URL", "ftp://dialer")
    with pytest.raises(DialerConfigError, match="must start with http"):
        push_calls(con, roster(cfg, kind="http"), DAY)
    assert con.execute("SELECT count(*) FROM dialer_pushes").fetchone()[0] == 0   # nothing written first


def test_the_shipped_roster_has_no_dialer(cfg):
    assert roster_for(cfg).dialer.kind == "none"

