"""Review cases: a wording variant cannot be another message of the config."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from loan_comms.config import ConfigError
from tests.experiments.test_arms import borrower_in, experiments_cfg, run_days

START = date(2026, 11, 1)


@pytest.mark.parametrize("kind", ["arrangement_kept", "survey"])
def test_a_wording_variant_cannot_be_another_kind_of_message(book, renderer, tmp_path, monkeypatch, kind):
    try:
        cfg = experiments_cfg(tmp_path, monkeypatch, extra=f'templates = {{ dpd_1 = "{kind}" }}')
    except ConfigError:
        return   # refused: good
    fewer = borrower_in("fewer")
    book.borrower(fewer)
    book.loan(f"L{fewer}", fewer, [("2026-11-01", "500.00")])
    run_days(book, cfg, renderer, START + timedelta(days=1), 1)
    rows = book.con.execute("SELECT step, template_id, status, error FROM contact_attempts WHERE borrower_id = ?",
                            [fewer]).fetchall()
    pytest.fail(f"accepted: the dpd_1 notice of arm 'fewer' is rendered from {kind!r}: {rows}")
