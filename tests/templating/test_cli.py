"""`loan-comms templates lint|preview` as product managers run them."""

from __future__ import annotations

from typer.testing import CliRunner

from loan_comms.cli.templates import app

from .conftest import write

runner = CliRunner()


def test_lint_passes_on_the_shipped_library():
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_lint_fails_with_one_line_per_problem(lib):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name }}, pay {{ balance }} or we call the police.")
    result = runner.invoke(app, ["lint", "--templates", str(lib)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("ERROR")]
    assert any(ln.startswith("ERROR templates/sms/en/dpd_1.txt.j2:1: unknown variable 'balance'") for ln in lines)
    assert any("banned phrase 'police'" in ln for ln in lines)
    assert all(" — fix: " in ln for ln in lines)


def test_preview_writes_index_html(tmp_path):
    result = runner.invoke(app, ["preview", "--out", str(tmp_path / "gallery")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gallery" / "index.html").is_file()


def test_bad_config_exits_2_with_its_message(tmp_path):
    bad = tmp_path / "lifecycle.toml"
    bad.write_text("[general]\nnope = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["lint", "--config", str(bad)])
    assert result.exit_code == 2
    assert "lifecycle.toml" in result.output
