"""What-if replay (loan_comms/replay): the unchanged config reproduces the recorded log exactly, a
stricter cap removes exactly what it says and the replayed log passes the audit, the real book is
never written, and the CLI fails in one line on bad input.

The recorded book: a small generated book run for five days as the simulated-clock flows run them
(plan, then dispatch at each window: tests/lifecycle/test_replay.py), with an opt-out arriving
between two of the replayed days, so the replay must see it on the right day and not before.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.book.synthetic import generate_book
from loan_comms.cli import app
from loan_comms.config import CONFIG_PATH, load_config
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from loan_comms.replay import ReplayError, ReplayReport, replay
from tests.builders import EchoRenderer, event_row

START = date(2026, 11, 1)
DAYS = 4
FROM, TO = START + timedelta(days=1), START + timedelta(days=3)
CFG = load_config()
RENDERER = EchoRenderer()
# What must be equal, contact by contact, for the replay to reproduce the recorded log.
LOG = ("SELECT a.idempotency_key, a.attempt_id, a.status, a.suppressed_reason, a.decided_by_rule, a.step, a.channel, "
       "a.purpose, a.episode_id, a.priority, a.amount_due, a.send_after, a.send_before, a.template_version, "
       "a.planned_for_date, a.template_id, a.language, a.sent_at, m.subject, m.body_text "
       "FROM {t} AS a LEFT JOIN {m} AS m USING (attempt_id) WHERE a.planned_for_date BETWEEN ? AND ? ORDER BY 1")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The recorded book (its hash when made: BOOK_SHA[0])."""
    path = tmp_path_factory.mktemp("whatif") / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=90, seed=11, start=START)
    for d in range(DAYS):
        day = START + timedelta(days=d)
        plan_day(con, CFG, RENDERER, day)
        dispatch_day(con, CFG, day)
        if day == FROM:   # an SMS opt-out arrives after the first replayed day's dispatch
            who = con.execute("SELECT borrower_id FROM contact_attempts WHERE channel = 'sms' AND status = 'sent' "
                              "AND planned_for_date = ? ORDER BY 1 LIMIT 1", [day]).fetchone()
            assert who is not None
            event_row(con, who[0], "opt_out", datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                      + timedelta(hours=20), loan_id=None, channel="sms", amount=None, detail=None)
    # a delivery receipt for every SMS sent in the window (receipts are not read by the plan): those
    # of SMS a replay does not make are inbound rows answering contacts it did not make
    con.execute("INSERT INTO provider_receipts (receipt_key, attempt_id, provider_message_id, status, event_at, "
                "ingested_at) SELECT 'test:' || attempt_id, attempt_id, provider_message_id, 'delivered', sent_at, "
                "sent_at FROM contact_attempts WHERE channel = 'sms' AND status = 'sent' "
                "AND planned_for_date BETWEEN ? AND ?", [FROM, TO])
    statuses = dict(con.execute("SELECT status, count(*) FROM contact_attempts WHERE planned_for_date BETWEEN ? AND ? "
                                "GROUP BY ALL", [FROM, TO]).fetchall())
    con.close()
    assert statuses.get("sent", 0) > 30 and statuses.get("suppressed", 0) > 2   # something to reproduce
    BOOK_SHA[:] = [_sha(path)]
    return path


BOOK_SHA: list[str] = []


@pytest.fixture(scope="module")
def stricter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped config with one line changed: the cn profile's sms_per_7_days 6 -> 1."""
    text = CONFIG_PATH.read_text(encoding="utf-8")
    assert "sms_per_7_days = 6\n" in text
    path = tmp_path_factory.mktemp("strict-config") / "stricter.toml"
    path.write_text(text.replace("sms_per_7_days = 6\n", "sms_per_7_days = 1\n", 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def same(book: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReplayReport]:
    """The replay of FROM..TO with the unchanged config: its scratch book and report."""
    scratch = tmp_path_factory.mktemp("same") / "same.duckdb"
    return scratch, replay(book, CFG, RENDERER, FROM, TO, scratch=scratch)


@pytest.fixture(scope="module")
def strict(book: Path, stricter: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReplayReport]:
    """The replay of FROM..TO with the stricter SMS cap: its scratch book and report."""
    scratch = tmp_path_factory.mktemp("strict") / "strict.duckdb"
    return scratch, replay(book, load_config(stricter), RENDERER, FROM, TO, scratch=scratch)


def _log(con: duckdb.DuckDBPyConnection, table: str, messages: str) -> list[tuple]:
    return con.execute(LOG.format(t=table, m=messages), [FROM, TO]).fetchall()


def test_the_unchanged_config_reproduces_the_recorded_log(book: Path, same: tuple[Path, ReplayReport]) -> None:
    scratch, report = same
    con = duckdb.connect(str(scratch), read_only=True)
    con.execute("ATTACH ? AS rec (READ_ONLY)", [str(book)])
    recorded = _log(con, "rec.contact_attempts", "rec.contact_messages")
    replayed = _log(con, "contact_attempts", "contact_messages")
    outbox = con.execute("SELECT count(*) FROM (SELECT o.idempotency_key, recipient, body_text FROM rec.outbox_messages AS o "
                         "JOIN rec.contact_attempts USING (attempt_id) WHERE planned_for_date BETWEEN ? AND ? "
                         "EXCEPT SELECT idempotency_key, recipient, body_text FROM outbox_messages)", [FROM, TO]).fetchall()
    diff = con.execute("SELECT count(*) FROM replay_diff").fetchall()
    con.close()
    assert len(recorded) > 50
    assert replayed == recorded
    assert outbox == [(0,)] and diff == [(0,)]
    assert report.unchanged and report.total("recorded") == report.total("replay") > 30
    assert all(r["recorded"] == r["replay"] for r in report.by_reason)
    assert report.assumed_sent == 0 and sum(report.orphans.values()) == 0
    assert report.audit_violations == 0 and report.audit_before == 0
    assert "the replay equals the recorded log" in str(report)


def test_a_stricter_sms_cap_removes_exactly_the_contacts_it_reports(strict: tuple[Path, ReplayReport]) -> None:
    scratch, report = strict
    con = duckdb.connect(str(scratch), read_only=True)
    removed = con.execute("SELECT r.idempotency_key, r.channel, a.status, a.suppressed_reason "
                          "FROM replay_recorded_attempts AS r LEFT JOIN contact_attempts AS a USING (idempotency_key) "
                          "WHERE r.status <> 'suppressed' AND coalesce(a.status, 'suppressed') = 'suppressed'").fetchall()
    added = con.execute("SELECT count(*) FROM contact_attempts AS a WHERE planned_for_date BETWEEN ? AND ? "
                        "AND status <> 'suppressed' AND NOT EXISTS (SELECT 1 FROM replay_recorded_attempts AS r "
                        "WHERE r.idempotency_key = a.idempotency_key AND r.status <> 'suppressed')", [FROM, TO]).fetchall()
    con.close()
    assert report.total("removed") == len(removed) > 5
    assert report.total("added") == added[0][0] == 0          # a stricter cap only takes away
    # every removed SMS was stopped by the new cap; what else went is the ladder that did not advance
    sms = [r for r in removed if r[1] == "sms"]
    assert sms and all(r[2:] == ("suppressed", "cap_sms_per_7_days") for r in sms)
    assert all(r[2] is None for r in removed if r[1] != "sms")
    caps = {r["reason"]: (r["recorded"], r["replay"]) for r in report.by_reason}
    assert caps["cap_sms_per_7_days"][1] > caps["cap_sms_per_7_days"][0]
    assert report.audit_violations == 0, report.audit_rules
    assert report.total("recorded") - report.total("removed") == report.total("replay")
    assert report.orphans["receipts"] == len(sms)   # each removed SMS had its receipt
    assert f"{sum(report.orphans.values())} inbound rows answer contacts the replay did not make" in str(report)


def test_the_real_book_is_byte_for_byte_unchanged(book: Path, same: tuple[Path, ReplayReport],
                                                   strict: tuple[Path, ReplayReport]) -> None:
    """Two replays (unchanged and stricter) later, the book's file is the one the fixture made."""
    assert _sha(book) == BOOK_SHA[0] and not Path(str(book) + ".wal").exists()


def test_an_opt_out_is_seen_from_its_own_day_on_and_not_before(same: tuple[Path, ReplayReport]) -> None:
    scratch, _ = same
    con = duckdb.connect(str(scratch), read_only=True)
    who, at = con.execute("SELECT borrower_id, occurred_at FROM borrower_events WHERE kind = 'opt_out' "
                          "AND source = 'test'").fetchone()
    sms = con.execute("SELECT planned_for_date, status FROM contact_attempts WHERE borrower_id = ? AND channel = 'sms' "
                      "AND planned_for_date BETWEEN ? AND ? ORDER BY 1", [who, FROM, TO]).fetchall()
    con.close()
    assert (FROM, "sent") in sms                                      # before it arrived: sent
    assert all(status == "suppressed" for day, status in sms if day > FROM)


def test_a_scratch_path_that_is_the_book_is_refused(book: Path) -> None:
    before = _sha(book)
    with pytest.raises(ReplayError, match="is the real book"):
        replay(book, CFG, RENDERER, FROM, TO, scratch=book.parent / "." / book.name)
    assert _sha(book) == before


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-10-01", "--to", "2026-11-02"], "2026-10-01 is not a planned day of the book"),
    (["--from", "2026-11-03", "--to", "2026-11-02"], "--to 2026-11-02 is before --from 2026-11-03"),
    (["--from", "2026-11-02", "--to", "2026-11-09"], "2026-11-05 is not a planned day of the book"),
])
def test_cli_bad_dates_are_one_line_and_a_non_zero_exit(book: Path, args: list[str], message: str,
                                                        tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["replay", "--config", str(CONFIG_PATH), "--db", str(book),
                                      "--scratch", str(tmp_path / "s.duckdb"), *args])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.startswith("loan-comms:")]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output


def test_cli_bad_config_and_missing_book_are_one_line(book: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["replay", "--config", str(bad), "--db", str(book),
                                      "--from", str(FROM), "--to", str(TO)])
    assert result.exit_code == 2 and "not valid TOML" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["replay", "--config", str(CONFIG_PATH), "--db", str(tmp_path / "none.duckdb"),
                                      "--from", str(FROM), "--to", str(TO)])
    assert result.exit_code != 0 and "no loan book" in result.output


def test_cli_json_report_counts_only(book: Path, stricter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tasks.common.template_store", lambda cfg, library=None: RENDERER)
    scratch = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(app, ["replay", "--config", str(stricter), "--db", str(book), "--from", str(FROM),
                                      "--to", str(FROM), "--scratch", str(scratch), "--json"])   # later days dropped
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert data["scratch"] == str(scratch) and data["totals"]["removed"] > 0 and data["audit_violations"] == 0
    assert "B0" not in result.output and "@" not in result.output.replace(data["policy_version"], "")


def test_without_templates_the_replay_renders_with_the_library_the_recorded_days_used(book: Path) -> None:
    from loan_comms.replay.templates import recorded_library
    from loan_comms.templating.store import repository_templates_dir

    found = recorded_library(book, CFG, FROM, TO)
    assert found.folder == repository_templates_dir(CFG) and "repository's templates, as recorded" in found.note


def test_replaying_from_the_books_first_day_reproduces_it_too(book: Path, tmp_path: Path) -> None:
    """No day before: every episode and paid amount is derived again from nothing, as on the first run."""
    scratch = tmp_path / "first.duckdb"
    report = replay(book, CFG, RENDERER, START, START + timedelta(days=1), scratch=scratch)
    con = duckdb.connect(str(scratch), read_only=True)
    con.execute("ATTACH ? AS rec (READ_ONLY)", [str(book)])
    episodes = con.execute("SELECT count(*) FROM (SELECT episode_id, opened_on FROM rec.delinquency_episodes "
                           "WHERE opened_on <= ? EXCEPT SELECT episode_id, opened_on FROM delinquency_episodes)",
                           [START + timedelta(days=1)]).fetchall()
    con.close()
    assert report.unchanged and report.total("recorded") > 10, str(report)
    assert episodes == [(0,)]
