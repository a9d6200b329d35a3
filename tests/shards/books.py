"""A synthetic book for the sharded-day tests, with more sharing than the generator's families, and
the config with a roster whose capacity binds (calls carried), written beside it."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb

from loan_comms import db
from loan_comms.book.synthetic import generate_book
from loan_comms.paths import REPO_ROOT

START = date(2026, 11, 12)
DAY_BEFORE = date(2026, 11, 11)


def share_more(con: duckdb.DuckDBPyConnection, seed: int = 5) -> None:
    """Beyond the generator's family phones (3% of borrowers): every 37th borrower also has the phone of
    one ~1/3 of the book away as a 'home' point (links across timezones, and so across shards unless the
    key joins them), every 53rd the e-mail of its neighbour in one-letter-other case (the policy
    matches trimmed and lower-cased), and a STOP came from a few of the shared phones, so caps and
    opt-outs of one number bind several borrowers."""
    con.execute("""
        INSERT INTO borrower_contact_points (borrower_id, kind, address, place, source, added_at)
        SELECT a.borrower_id, 'phone', b.phone_e164, 'home', 'test', a.created_at
        FROM (SELECT *, row_number() OVER (ORDER BY borrower_id) AS i FROM borrowers) AS a
        JOIN (SELECT *, row_number() OVER (ORDER BY borrower_id) AS i FROM borrowers) AS b
          ON b.i = (a.i * 7 + $seed) % (SELECT count(*) FROM borrowers) + 1
        WHERE a.i % 37 = 0 AND b.phone_e164 IS NOT NULL AND b.phone_e164 IS DISTINCT FROM a.phone_e164
        ON CONFLICT DO NOTHING""", {"seed": seed})
    con.execute("""
        INSERT INTO borrower_contact_points (borrower_id, kind, address, place, source, added_at)
        SELECT a.borrower_id, 'email', ' ' || upper(b.email), NULL, 'test', a.created_at
        FROM (SELECT *, row_number() OVER (ORDER BY borrower_id) AS i FROM borrowers) AS a
        JOIN (SELECT *, row_number() OVER (ORDER BY borrower_id) AS i FROM borrowers) AS b ON b.i = a.i + 1
        WHERE a.i % 53 = 0 AND b.email IS NOT NULL
        ON CONFLICT DO NOTHING""")
    con.execute("""
        INSERT INTO borrower_events (borrower_id, kind, occurred_at, channel, source, scope, contact_point, external_id)
        SELECT p.borrower_id, 'opt_out', TIMESTAMPTZ '2026-11-10 03:00:00+00', 'sms', 'test', 'borrower',
               point_id('phone', p.address), 'test-stop-' || p.borrower_id
        FROM borrower_contact_points AS p
        WHERE p.kind = 'phone' AND p.source = 'test'
        QUALIFY row_number() OVER (ORDER BY p.borrower_id) % 5 = 1""")


def make_book(path: Path, loans: int) -> None:
    con = db.connect(path)
    try:
        generate_book(con, loans=loans, seed=11, start=START)
        share_more(con)
    finally:
        con.close()


def single_and_sharded(folder: Path, loans: int, shards: int) -> tuple[Path, Path]:
    """The same made book both ways: copied as the single run's file (folder/single.duckdb) and split
    into `shards` files (folder/shards). Returns (the single file, the sharded folder)."""
    from loan_comms.shards import split_book

    base = folder / "book.duckdb"
    make_book(base, loans)
    single = folder / "single.duckdb"
    shutil.copy(base, single)
    split_book(base, shards, folder / "shards")
    return single, folder / "shards"


def run_single(single: Path, config_path: Path, days: tuple[date, ...], *, dispatch: bool) -> None:
    """The single run the sharded one is compared with: each day planned (and dispatched) in order."""
    from loan_comms.config import load_config
    from loan_comms.delivery.day_dispatch import dispatch_day
    from loan_comms.lifecycle.planner import plan_day
    from loan_comms.templating import TemplateStore, templates_dir

    cfg = load_config(config_path)
    store = TemplateStore.load(templates_dir(cfg), cfg)
    con = db.connect(single)
    try:
        for day in days:
            plan_day(con, cfg, store, day)
            if dispatch:
                dispatch_day(con, cfg, day)
    finally:
        con.close()


def binding_config(folder: Path, capacity: int = 3) -> Path:
    """The shipped lifecycle.toml with the shipped roster beside it, every agent's capacity cut to
    `capacity`: the day's calls no longer fit, some are carried (agent_capacity)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "config" / "lifecycle.toml", folder / "lifecycle.toml")
    for name in ("replies.toml", "feedback_themes.toml"):
        if (REPO_ROOT / "config" / name).exists():
            shutil.copy(REPO_ROOT / "config" / name, folder / name)
    roster = (REPO_ROOT / "config" / "agents.toml").read_text(encoding="utf-8")
    (folder / "agents.toml").write_text(re.sub(r"(?m)^capacity = \d+", f"capacity = {capacity}", roster),
                                        encoding="utf-8")
    return folder / "lifecycle.toml"



