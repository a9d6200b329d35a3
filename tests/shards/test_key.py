"""The shard key (loan_comms/shards/key.py) and the split (split.py): every borrower who shares a
contact point with another, directly or through others, lands in the same shard, whatever the
sharing graph; the split puts every owned row in exactly one shard and every global row in each."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.shards import ShardError, compute_key, open_union, read_manifest, shard_of, split_book
from loan_comms.shards.split import GLOBAL_TABLES, TABLE_OWNERS, book_tables
from tests.builders import insert
from tests.shards.books import make_book


def _components(n: int, holdings: list[tuple[int, str]]) -> dict[int, int]:
    """Borrower index -> smallest index of its component (plain union-find: the reference)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_point: dict[str, list[int]] = defaultdict(list)
    for b, p in holdings:
        by_point[p].append(b)
    for holders in by_point.values():
        for other in holders[1:]:
            a, b = find(holders[0]), find(other)
            parent[max(a, b)] = min(a, b)
    return {b: find(b) for b in range(n)}


# A sharing graph: n borrowers, each holding its own phone and some of a small pool of shared points,
# given as primary phone/e-mail, extra points, or only on an event (a STOP from that number).
graphs = st.integers(min_value=1, max_value=40).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 12), st.sampled_from(["point", "email", "event"])),
             max_size=3 * n),
    st.integers(min_value=1, max_value=8)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs)
def test_borrowers_sharing_a_point_share_a_shard(graph: tuple[int, list[tuple[int, int, str]], int]) -> None:
    n, shares, k = graph
    con = db.connect()
    try:
        ids = [f"B{i:03d}" for i in range(n)]
        for i, bid in enumerate(ids):
            insert(con, "borrowers", borrower_id=bid, full_name=f"Test {i}", phone_e164=f"+8613800{i:06d}",
                   email=None, language="zh-CN", timezone="Asia/Shanghai")
        holdings: list[tuple[int, str]] = []
        for b, p, how in shares:
            phone = f"+8613900{p:06d}"
            if how == "point":
                insert(con, "borrower_contact_points", or_ignore=True, borrower_id=ids[b], kind="phone", address=phone,
                       added_at="2026-11-01 00:00:00+00")
                holdings.append((b, f"phone:{phone}"))
            elif how == "email":   # the same address in other case and spaces: the same point
                insert(con, "borrower_contact_points", or_ignore=True, borrower_id=ids[b], kind="email",
                       address=f"shared{p}@example.com", added_at="2026-11-01 00:00:00+00")
                con.execute("UPDATE borrowers SET email = ? WHERE borrower_id = ? AND email IS NULL",
                            [f" Shared{p}@Example.COM ", ids[(b + 1) % n]])
                holdings.append((b, f"email:shared{p}@example.com"))
            else:
                con.execute("INSERT INTO borrower_events (borrower_id, kind, occurred_at, channel, contact_point) "
                            "VALUES (?, 'opt_out', TIMESTAMPTZ '2026-11-01 00:00:00+00', 'sms', point_id('phone', ?))",
                            [ids[b], phone])
                holdings.append((b, f"phone:{phone}"))
        for i, (email,) in enumerate(con.execute("SELECT email FROM borrowers ORDER BY borrower_id").fetchall()):
            if email:
                holdings.append((i, f"email:{email.strip().lower()}"))
        report = compute_key(con, k)
        got = {r[0]: (r[1], r[2]) for r in con.execute("SELECT borrower_id, cluster_id, shard FROM borrower_shards").fetchall()}
    finally:
        con.close()
    want = _components(n, holdings)
    assert report.borrowers == n
    for i, bid in enumerate(ids):
        cluster, shard = got[bid]
        assert cluster == ids[want[i]], (bid, cluster)          # the smallest borrower id of its component
        assert shard == shard_of(cluster, k) and 0 <= shard < k   # md5, as Python computes it
    for b, p in holdings:   # every holder of a point: one cluster, one shard
        holders = {got[ids[x]] for x, q in holdings if q == p}
        assert len(holders) == 1, (p, holders)


def test_every_table_is_routed_or_global(con: duckdb.DuckDBPyConnection) -> None:
    """A table added to the schema must be classified before a book can be split (the split refuses)."""
    assert set(book_tables(con)) == set(TABLE_OWNERS) | set(GLOBAL_TABLES)


@pytest.fixture(scope="module")
def split4(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("split")
    book = folder / "book.duckdb"
    make_book(book, 1500)
    split_book(book, 4, folder / "shards")
    return book, folder / "shards"


def test_split_puts_each_row_in_one_shard_and_keeps_families_together(split4: tuple[Path, Path]) -> None:
    book, shards = split4
    manifest = read_manifest(shards)
    assert manifest.shards == 4 and all(p.exists() for p in manifest.paths())
    src = duckdb.connect(str(book), read_only=True)
    union = open_union(shards)
    try:
        union.execute(f"ATTACH '{book}' AS src (READ_ONLY)")
        for table in TABLE_OWNERS:   # the union of the shards is the book, row for row
            (n,) = src.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert sum(manifest.rows[table]) == n, table
            (diff,) = union.execute(f"SELECT count(*) FROM ((SELECT * FROM src.main.{table}) "
                                    f"EXCEPT ALL (SELECT * FROM {table}))").fetchone()
            assert diff == 0, table
        for table in GLOBAL_TABLES:
            (n,) = src.execute(f"SELECT count(*) FROM {table}").fetchone()
            if table == "book_role":   # the book's own 'split' row is written after the copy
                n -= 1
            assert manifest.rows[table] == [n] * 4, table
        # a shared phone's holders (the generator's families and share_more's) never straddle shards
        (straddling,) = union.execute("""
            SELECT count(*) FROM (
                SELECT p.address FROM borrower_contact_points AS p
                JOIN borrower_shards AS s USING (borrower_id)
                JOIN borrowers AS b ON b.phone_e164 = p.address
                JOIN borrower_shards AS t ON t.borrower_id = b.borrower_id
                WHERE s.shard <> t.shard)""").fetchone()
        assert straddling == 0
        (linked,) = union.execute("SELECT count(*) FROM borrower_contact_points WHERE source = 'test'").fetchone()
        assert linked > 20
    finally:
        src.close()
        union.close()


def test_event_ids_stay_unique_across_shards(split4: tuple[Path, Path]) -> None:
    """Each shard hands out its own ids, interleaved, so the union never holds one id twice."""
    _, shards = split4
    manifest = read_manifest(shards)
    for i, path in enumerate(manifest.paths()):
        con = db.connect(path)
        try:
            con.execute("INSERT INTO borrower_events (borrower_id, kind, occurred_at) "
                        "VALUES ('X', 'test', TIMESTAMPTZ '2026-11-12 00:00:00+00')")
        finally:
            con.close()
    union = open_union(shards)
    try:
        (n, distinct) = union.execute("SELECT count(*), count(DISTINCT event_id) FROM borrower_events").fetchone()
        assert n == distinct
    finally:
        union.close()
    for path in manifest.paths():   # leave the shards as they were for the other tests
        con = db.connect(path)
        try:
            con.execute("DELETE FROM borrower_events WHERE kind = 'test'")
        finally:
            con.close()


def test_split_refuses_a_folder_in_use(split4: tuple[Path, Path]) -> None:
    book, shards = split4
    with pytest.raises(ShardError, match="not empty"):
        split_book(book, 4, shards)
