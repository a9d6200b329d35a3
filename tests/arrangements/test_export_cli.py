"""`loan-comms arrangements export`: one line of counts; exit 1 and an alert when a person is needed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.arrangements.fake_core import FakeCore
from loan_comms.book.synthetic import generate_book
from loan_comms.cli import app
from tests.arrangements.export_helpers import SECRET, add


@pytest.fixture(scope="module")
def _book_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("book") / "book.duckdb"
    con = db.connect(path)
    generate_book(con, loans=20, seed=3, start=date(2026, 11, 1))
    con.close()
    return path.read_bytes()


@pytest.fixture
def book(tmp_path, _book_bytes) -> Path:
    path = tmp_path / "book.duckdb"
    path.write_bytes(_book_bytes)
    con = db.connect(path)
    add(con, "A0001")
    add(con, "A0002", "kept")
    con.close()
    return path


def cli(*args, env=None):
    return CliRunner().invoke(app, ["arrangements", "export", *map(str, args)], env=env)


def test_files_only_without_a_url(book):
    res = cli("--db", book, "--day", "2026-11-10", "--now", "2026-11-10T03:00:00Z")
    assert res.exit_code == 0, res.output
    assert res.output.count("\n") == 1 and "filed 2" in res.output and "webhook off" in res.output
    assert (book.parent / "exports" / "arrangements" / "arrangements-2026-11-10.jsonl").exists()


def test_an_unknown_send_exits_non_zero_then_an_operator_resolves_it(book, tmp_path):
    cfg = tmp_path / "lifecycle.toml"
    shipped = (Path(__file__).resolve().parents[2] / "config" / "lifecycle.toml").read_text(encoding="utf-8")
    with FakeCore(secret=SECRET) as core:
        cfg.write_text(shipped.replace('dir = "exports/arrangements"', f'dir = "exports/arrangements"\nurl = "{core.url}"\n'
                                       "timeout_seconds = 0.3\nreconcile_after_seconds = 0"), encoding="utf-8")
        env = {"LOAN_COMMS_ARRANGEMENT_SECRET": SECRET, "LOAN_COMMS_ALERT_WEBHOOK_URL": ""}
        core.inject("lost")
        res = cli("--db", book, "--config", cfg, "--now", "2026-11-10T03:00:00Z", env=env)
        assert res.exit_code == 1, res.output
        assert "unknown 1" in res.output and "A0001:accepted (unknown)" in res.output
        assert "Traceback" not in res.output

        again = cli("--db", book, "--config", cfg, "--now", "2026-11-10T05:00:00Z", env=env)
        assert again.exit_code == 1 and core.stats()["requests"] == 2     # never re-sent

        bad = cli("--db", book, "--resolve", "A0001:accepted", "maybe", env=env)
        assert bad.exit_code == 2 and "delivered or resend" in bad.output
        ok = cli("--db", book, "--resolve", "A0001:accepted", "resend", "--by", "ops7", env=env)
        assert ok.exit_code == 0 and "unknown -> pending" in ok.output
        last = cli("--db", book, "--config", cfg, "--now", "2026-11-10T06:00:00Z", env=env)
        assert last.exit_code == 0, last.output
        assert core.stats()["received"] == 3 and core.stats()["duplicates"] == 1   # the operator chose to resend


def test_a_url_without_a_secret_is_one_line(book, tmp_path):
    res = cli("--db", book, env={"LOAN_COMMS_ARRANGEMENT_URL": "http://127.0.0.1:9/x"})
    assert res.exit_code == 2 and "LOAN_COMMS_ARRANGEMENT_SECRET" in res.output and "Traceback" not in res.output
