"""Dates and counts on the command line are checked before anything runs: a usage error, exit 2."""

from __future__ import annotations

import pytest

from .conftest import cli


@pytest.mark.parametrize("args, option, value", [
    (("run-day", "--as-of", "2026-13-01"), "--as-of", "2026-13-01"),
    (("run-days", "--start", "2026-02-30"), "--start", "2026-02-30"),
    (("generate", "--start", "tomorrow"), "--start", "tomorrow"),
    (("demo", "--start", "2026/11/01"), "--start", "2026/11/01"),
    (("simulate", "--start", "11-01-2026"), "--start", "11-01-2026"),
])
def test_a_bad_date_names_the_option_and_the_format(book, args, option, value):
    result = cli(*args, "--db", book)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': {value}: not a date (YYYY-MM-DD)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, option", [
    (("run-days", "--start", "2026-11-01", "--days", "-3"), "--days"),
    (("run-days", "--start", "2026-11-01", "--days", "0"), "--days"),
    (("generate", "--loans", "0"), "--loans"),
    (("demo", "--days", "-1"), "--days"),
    (("simulate", "--loans", "-5"), "--loans"),
    (("dispatch", "--batch-size", "0"), "--batch-size"),
])
def test_a_count_below_one_is_a_usage_error_not_a_silent_success(book, args, option):
    result = cli(*args, "--db", book)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output


@pytest.mark.parametrize("args", [("receive-callbacks", "--port", "0"), ("fake-gateway", "--port", "70000")])
def test_ports_must_be_ports(args):
    result = cli(*args)
    assert result.exit_code == 2 and "Invalid value for '--port'" in result.output
