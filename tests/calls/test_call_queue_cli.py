"""`loan-comms call-queue`: prints the planned day per team and agent, exports a masked CSV and
Parquet per team (replaced whole on a re-run), pushes to the dialer when one is configured, and
says in one line why it cannot run (no book, a day never planned)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.calls import roster as roster_mod
from loan_comms.calls.fake_dialer import FakeDialer
from loan_comms.calls.roster import DialerSettings
from loan_comms.cli import _mount, app
from tests.calls.queue_book import DAY, PHONES, day_book

NAMES = ("Wang Wei", "Wang")


def cli(*args: object):
    _mount()
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    day_book(con)
    con.close()
    return path


def secrets_in(text: str) -> list[str]:
    return [s for s in (*PHONES.values(), *(p[1:] for p in PHONES.values()), *NAMES) if s in text]


def test_it_prints_the_day_per_team_and_agent_with_masked_numbers(book):
    out = cli("call-queue", "--as-of", DAY, "--db", book, "--limit", 3)
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Call queue 2026-11-10: 4 calls assigned, 2 carried (agent_capacity 1, no_agent_today 1)" in text
    zh = next(line for line in text.splitlines() if line.strip().startswith("zh-CN/apac") and "%" in line)
    assert zh.split()[1:6] == ["3", "1", "2", "3/5", "(60%)"]              # assigned, carried, agents, capacity
    assert "agent_capacity 1" in zh
    assert "A-zh-01" in text and "2/3 of the shift" in text
    assert "First 3 calls in order" in text and "+86****78" in text and "+12****23" in text
    assert secrets_in(text) == []


def test_it_exports_a_csv_and_a_parquet_per_team_masked_and_replaced_whole(book, tmp_path):
    out_dir = tmp_path / "exports"
    assert cli("call-queue", "--as-of", DAY, "--db", book, "--out", out_dir).exit_code == 0
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["en-americas.csv", "en-americas.parquet", "zh-CN-apac.csv", "zh-CN-apac.parquet"]
    csv_text = (out_dir / "zh-CN-apac.csv").read_text()
    assert csv_text.splitlines()[0].startswith("team,outcome,agent_id,rank,slot_start")
    assert len(csv_text.splitlines()) == 1 + 4                              # 3 assigned + 1 carried
    table = pq.read_table(out_dir / "zh-CN-apac.parquet").to_pylist()
    assert [r["attempt_id"] for r in table] == ["c1", "c3", "c2", "k1"]
    assert table[-1]["carried_reason"] == "agent_capacity" and table[0]["phone_masked"] == "+86****78"
    everything = "".join(p.read_bytes().decode("latin-1") for p in out_dir.iterdir())
    assert secrets_in(everything) == []
    first = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    # A re-run replaces the files whole: the same content, and a team whose calls all went is emptied.
    assert cli("call-queue", "--as-of", DAY, "--db", book, "--out", out_dir).exit_code == 0
    assert (out_dir / "zh-CN-apac.csv").read_bytes() == first["zh-CN-apac.csv"]
    assert pq.read_table(out_dir / "zh-CN-apac.parquet").to_pylist() == table
    con = db.connect(book)
    con.execute("DELETE FROM call_assignments WHERE team = 'en/americas'")
    con.close()
    assert cli("call-queue", "--as-of", DAY, "--db", book, "--out", out_dir).exit_code == 0
    assert len((out_dir / "en-americas.csv").read_text().splitlines()) == 1   # header only
    assert pq.read_table(out_dir / "en-americas.parquet").num_rows == 0
    assert not list(out_dir.glob("*.part"))


def test_the_default_folder_is_beside_the_book(book):
    assert cli("call-queue", "--as-of", DAY, "--db", book).exit_code == 0
    assert (book.parent / "exports" / "call_queue" / "2026-11-10" / "zh-CN-apac.parquet").exists()


def test_a_missing_book_or_a_day_never_planned_is_one_line(book, tmp_path):
    missing = cli("call-queue", "--as-of", DAY, "--db", tmp_path / "nope.duckdb")
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    assert len(missing.output.strip().splitlines()) == 1
    later = cli("call-queue", "--as-of", "2026-11-11", "--db", book)
    assert later.exit_code == 2
    assert later.output.strip() == ("loan-comms: 2026-11-11 was never planned: run `loan-comms run-day --as-of "
                                    "2026-11-11` first (the call queue is made from the day's plan)")


def test_push_without_a_dialer_is_refused(book):
    out = cli("call-queue", "--as-of", DAY, "--db", book, "--push")
    assert out.exit_code == 2 and "no dialer is configured" in out.output


def test_it_pushes_to_the_configured_dialer_once_and_fails_loudly_when_calls_are_left(book, monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_DIALER_TOKEN", "tok-123")
    real = roster_mod.roster_for
    with FakeDialer(token="tok-123") as fake:
        def with_dialer(cfg):
            return real(cfg).model_copy(update={"dialer": DialerSettings(kind="http", url=fake.url,
                                                                         reconcile_after_seconds=0)})
        monkeypatch.setattr(roster_mod, "roster_for", with_dialer)
        fake.inject("500")                                                  # stored, answer lost
        first = cli("call-queue", "--as-of", DAY, "--db", book)
        assert first.exit_code == 1
        assert "unknown 4" in first.output and "dialer hand-off needs attention" in first.output
        assert "Call queue 2026-11-10" in first.output                      # the summary still printed
        again = cli("call-queue", "--as-of", DAY, "--db", book)
        assert again.exit_code == 0, again.output
        assert "found 4" in again.output
        assert fake.stats()["duplicates"] == 0 and fake.stats()["live"] == 4
        assert secrets_in(first.output + again.output) == []
        assert "tok-123" not in first.output + again.output
        skipped = cli("call-queue", "--as-of", DAY, "--db", book, "--no-push")
        assert skipped.exit_code == 0 and "dialer 2026-11-10" not in skipped.output


def test_the_demo_ends_with_collector_work_in_counts(book):
    from loan_comms.ops.collector_summary import collector_lines

    con = db.connect(book)
    con.execute("INSERT INTO dialer_pushes (attempt_id, plan_date, team, state, payload_sha256, recorded_at, "
                "updated_at) VALUES ('c1', '2026-11-10', 'zh-CN/apac', 'sent', 'x', now(), now())")
    lines = collector_lines(con)
    con.close()
    assert lines == ["Collector calls over 1 plan days: 4 assigned to agents, 2 carried to a later day "
                     "(agent_capacity 1, no_agent_today 1)",
                     "Agent capacity: 4 calls in 3 agent shifts holding 9 (44% used)",
                     "Dialer hand-off: sent 1"]
    assert collector_lines(db.connect()) == []                                # no roster calls: no lines
