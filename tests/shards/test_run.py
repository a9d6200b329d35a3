"""The three phases of a sharded day (loan_comms/shards/run.py) called directly, without Prefect: a
shard that re-derives other calls than it exported for the assignment records nothing (the book
changed between the phases), and the CLI's split and audit over a sharded book."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli.root import app
from loan_comms.config import load_config
from loan_comms.lifecycle import days
from loan_comms.shards import ShardMismatch, assign_shards, decide_shard, plan_shard, read_manifest, split_book
from loan_comms.templating import TemplateStore, templates_dir
from tests.shards.books import DAY_BEFORE, binding_config, make_book


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("run")
    book = folder / "book.duckdb"
    make_book(book, 1500)
    split_book(book, 2, folder / "shards")
    return folder / "shards", binding_config(folder / "config")


def test_a_shard_that_changed_between_the_phases_records_nothing(sharded: tuple[Path, Path]) -> None:
    shards, config_path = sharded
    cfg = load_config(config_path)
    store = TemplateStore.load(templates_dir(cfg), cfg)
    manifest = read_manifest(shards)
    decided = [decide_shard(manifest, i, cfg, DAY_BEFORE) for i in range(manifest.shards)]
    assert all(d.calls for d in decided), decided
    assign_shards(manifest, cfg, DAY_BEFORE, decided)
    con = db.connect(manifest.path(0))
    try:   # a borrower with a call exported for the assignment asks for no more calls, between the phases
        (bid,) = con.execute("SELECT borrower_id FROM read_parquet(?) LIMIT 1",
                             [str(manifest.work_dir(DAY_BEFORE.isoformat()) / "calls-0.parquet")]).fetchone()
        con.execute("INSERT INTO borrower_events (borrower_id, kind, occurred_at, channel, scope, source) "
                    "VALUES (?, 'opt_out', TIMESTAMPTZ '2026-11-10 00:00:00+00', 'call', 'borrower', 'test')", [bid])
    finally:
        con.close()
    with pytest.raises(ShardMismatch, match="shard 0"):
        plan_shard(manifest, 0, cfg, store, DAY_BEFORE)
    con = db.connect(manifest.path(0))
    try:
        assert not days.status(con, DAY_BEFORE).started
        assert con.execute("SELECT count(*) FROM contact_attempts").fetchone() == (0,)
    finally:
        con.close()
    # the other shard is unaffected: its calls are the ones it exported
    assert plan_shard(manifest, 1, cfg, store, DAY_BEFORE).planned_total > 0


def test_cli_split_and_audit(tmp_path: Path) -> None:
    book = tmp_path / "book.duckdb"
    make_book(book, 300)
    runner = CliRunner()
    done = runner.invoke(app, ["shards", "split", "--db", str(book), "--k", "3", "--out", str(tmp_path / "s")])
    assert done.exit_code == 0, done.output
    assert "3 shards" in done.output and "shard-2.duckdb" in done.output
    audited = runner.invoke(app, ["shards", "audit", "--dir", str(tmp_path / "s")])
    assert audited.exit_code == 0, audited.output
    assert "PASSED" in audited.output and "(every shard)" in audited.output
    again = runner.invoke(app, ["shards", "split", "--db", str(book), "--k", "3", "--out", str(tmp_path / "s")])
    assert again.exit_code == 1 and "not empty" in again.output
    missing = runner.invoke(app, ["shards", "audit", "--dir", str(tmp_path)])
    assert missing.exit_code == 1 and "no sharded book here" in missing.output


def test_an_interrupted_day_is_the_books_and_plan_shard_will_not_finish_it_alone(tmp_path: Path) -> None:
    """A day started in one shard and never started in another is interrupted for the whole book
    (book_day), a day behind it is refused, and plan_shard refuses to finish it with the shard's own
    human work (finding 11: agents booked twice across shards)."""
    from loan_comms.shards import ShardError
    from loan_comms.shards.run import book_day
    from tests.shards.books import START

    book = tmp_path / "book.duckdb"
    make_book(book, 300)
    manifest, _ = split_book(book, 2, tmp_path / "s")
    assert book_day(manifest, DAY_BEFORE).interrupted is None
    con = db.connect(manifest.path(0))
    try:   # shard 0 started DAY_BEFORE and crashed before its record; shard 1 never started it
        con.execute("INSERT INTO day_runs (as_of, plan_started_at) VALUES (?, TIMESTAMPTZ '2026-11-11 00:00:00+00')",
                    [DAY_BEFORE])
    finally:
        con.close()
    day = book_day(manifest, START)
    assert day.interrupted == DAY_BEFORE and not day.planned
    with pytest.raises(days.DayOutOfOrder, match="never planned in any shard"):
        book_day(manifest, date(2026, 11, 10))
    cfg = load_config(binding_config(tmp_path / "config"))
    store = TemplateStore.load(templates_dir(cfg), cfg)
    with pytest.raises(ShardError, match=f"plan of {DAY_BEFORE} is unfinished"):
        plan_shard(manifest, 0, cfg, store, START)


def test_after_a_split_the_book_and_its_shards_refuse_the_single_book_commands(tmp_path: Path) -> None:
    """Finding 2: the book that was split and each shard file are marked (book_role); every single-book
    command and flow task that opens them (db.open_book, tasks.common.open_db, the import) refuses in
    one line naming `loan-comms shards`, while the sharded code still opens the shards. Also the split's
    own user mistakes: --out a file, a quote in the folder's name, a crashed split's leftover."""
    from loan_comms.errors import SplitBook
    from tasks.common import open_db

    book = tmp_path / "book.duckdb"
    make_book(book, 300)
    runner = CliRunner()
    (tmp_path / "a-file").write_text("x")
    as_file = runner.invoke(app, ["shards", "split", "--db", str(book), "--k", "2", "--out", str(tmp_path / "a-file")])
    assert as_file.exit_code == 1 and "is a file" in as_file.output and "Traceback" not in as_file.output
    out = tmp_path / "o'brien shards"
    (tmp_path / "o'brien shards.partial").mkdir()   # a crashed split's leftover is replaced
    done = runner.invoke(app, ["shards", "split", "--db", str(book), "--k", "2", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert not (tmp_path / "o'brien shards.partial").exists()
    shard = out / "shard-1.duckdb"
    for args, path in [(["run-day", "--as-of", "2026-11-11", "--db", str(book)], book),
                       (["run-day", "--as-of", "2026-11-11", "--db", str(shard)], shard),
                       (["dispatch", "--db", str(shard), "--now", "2026-11-11T02:00:00Z"], shard),
                       (["call-queue", "--as-of", "2026-11-11", "--db", str(book)], book)]:
        refused = runner.invoke(app, args)
        assert refused.exit_code != 0 and "loan-comms shards" in refused.output, (args, refused.output)
        assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1, refused.output
        assert ("split into 2 shards" if path == book else "shard 1 of 2") in refused.output
    csv = tmp_path / "loans.csv"
    csv.write_text("x\n")
    imported = runner.invoke(app, ["import", str(csv), "--db", str(shard)])
    assert imported.exit_code != 0 and "takes no imports" in imported.output, imported.output
    with pytest.raises(SplitBook, match="shard 1 of 2"):
        with open_db(shard):
            pass
    again = runner.invoke(app, ["shards", "split", "--db", str(book), "--k", "2", "--out", str(tmp_path / "new")])
    assert again.exit_code == 1 and "split into 2 shards" in again.output, again.output
    audited = runner.invoke(app, ["shards", "audit", "--dir", str(out)])   # the sharded code still reads them
    assert audited.exit_code == 0, audited.output
    # finding 10: the union, as the split, refuses a table it does not know how to read
    from loan_comms.shards import ShardError, open_union

    con = db.connect(out / "shard-0.duckdb")
    try:
        con.execute("CREATE TABLE later_per_borrower (borrower_id VARCHAR)")
    finally:
        con.close()
    with pytest.raises(ShardError, match="later_per_borrower"):
        open_union(out)
