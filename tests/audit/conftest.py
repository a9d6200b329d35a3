"""The audit cases start from the clean log of tests/audit/log.py: every rule exercised, none broken."""

from __future__ import annotations

import duckdb
import pytest

from tests.audit.log import ContactLog, clean_log


@pytest.fixture
def log(con: duckdb.DuckDBPyConnection) -> ContactLog:
    return clean_log(con)
