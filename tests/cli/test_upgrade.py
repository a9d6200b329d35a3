"""A book written by an older loan-comms: read-only commands say what to do in one line, and
`loan-comms upgrade` adds what is missing without touching the rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loan_comms import db as dbm
from loan_comms.errors import OutdatedSchema

from .conftest import cli


def _older_book(path: Path) -> None:
    con = dbm.connect(path)
    con.execute("INSERT INTO borrowers (borrower_id, full_name, language, timezone) "
                "VALUES ('B1', 'Wang Wei', 'zh-CN', 'Asia/Shanghai')")
    con.close()
    raw = duckdb.connect(str(path))          # what an older version left: no contact points yet
    raw.execute("DROP TABLE borrower_contact_points")
    raw.execute("ALTER TABLE contact_attempts DROP COLUMN contact_point")
    raw.close()


def test_a_read_only_open_of_an_older_book_names_the_fix(tmp_path):
    path = tmp_path / "old.duckdb"
    _older_book(path)
    with pytest.raises(OutdatedSchema) as err:
        dbm.connect(path, read_only=True)
    assert "loan-comms upgrade --db" in str(err.value) and "tables/columns missing" in str(err.value)
    assert err.value.exit_code == 2


def test_upgrade_adds_what_is_missing_and_keeps_the_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    _older_book(path)
    result = cli("upgrade", "--db", str(path))
    assert result.exit_code == 0, result.output
    assert "schema up to date" in result.output
    con = dbm.connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM borrowers").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM borrower_contact_points").fetchone() == (0,)
    con.close()


def test_a_writing_command_upgrades_an_older_book_on_its_own(tmp_path):
    path = tmp_path / "old.duckdb"
    _older_book(path)
    dbm.check_book(path)                      # the pre-flight check of a writer lets it through
    dbm.connect(path).close()                 # the writer adds what is missing
    dbm.connect(path, read_only=True).close()
