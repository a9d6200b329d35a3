"""What `loan-comms templates lint` rejects stops every run at start-up, before Prefect or the book."""

from __future__ import annotations

import shutil

import pytest

from loan_comms.config import load_config
from loan_comms.paths import CONFIG_PATH, REPO_ROOT
from loan_comms.templating import TemplateStore

from .conftest import cli, digest

NO_OPT_OUT = "Hi {{ first_name }}, {{ amount_due }} is now overdue. Pay: {{ pay_link }}"


@pytest.fixture
def bad_config(tmp_path):
    """A copy of the library where one SMS lost its opt-out text (lint: error), and a config using it."""
    lib = tmp_path / "templates"
    shutil.copytree(REPO_ROOT / "templates", lib)
    (lib / "sms" / "en" / "dpd_1.txt.j2").write_text(NO_OPT_OUT, encoding="utf-8")
    text = CONFIG_PATH.read_text(encoding="utf-8")
    assert '\ndir = "templates"' in text
    cfg = tmp_path / "lifecycle.toml"
    cfg.write_text(text.replace('\ndir = "templates"', f'\ndir = "{lib}"', 1), encoding="utf-8")
    loaded = load_config(cfg)
    store = TemplateStore.load(lib, loaded)
    assert not [p for p in store.problems_at_start() if p.is_error], "only the full lint sees this one"
    return cfg


@pytest.mark.parametrize("args", [("run-day", "--as-of", "2026-11-05"),
                                  ("run-days", "--start", "2026-11-01", "--days", "2"),
                                  ("dispatch", "--now", "2026-11-05T02:00:00Z")], ids=lambda a: a[0])
def test_a_lint_error_stops_the_run_at_start_up(book, bad_config, args):
    before = digest(book)
    result = cli(*args, "--db", book, "--config", bad_config)
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1
    assert "templates checked: 1 error(s)" in result.output
    assert "sms/en/dpd_1.txt.j2" in result.output and "SMS does not show the opt-out text" in result.output
    assert "Run `loan-comms templates lint` for the full list." in result.output
    assert digest(book) == before


def test_the_flows_refuse_the_same_library(bad_config):
    from tasks.common import TemplateProblems, template_store

    with pytest.raises(TemplateProblems, match="SMS does not show the opt-out text"):
        template_store(load_config(bad_config))
