"""The readout where people read it: `loan-comms experiments ...` (markdown, JSON, one-line errors), the
guardrails command, and the "Experiments" section of the feedback report (escaped)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.experiments.readout import readout
from loan_comms.experiments.report import experiments_section
from loan_comms.paths import CONFIG_PATH
from tests.cli.conftest import cli
from tests.experiments.history import History, experiment

ON = date(2026, 11, 2)
SHIPPED = CONFIG_PATH.parent / "experiments.toml"
# The experiment these tests read: the shipped file's guardrails (min_borrowers 100), two arms of 50 %.
FILE = """
[[experiments]]
name = "fewer_contacts"
description = "Does a shorter ladder cure as many loans with fewer contacts?"
start = 2026-11-01
end = 2027-03-31
guardrails = { complaint_rate_over_champion = 0.01, opt_out_rate_over_champion = 0.02, min_borrowers = 100 }

[[experiments.arms]]
name = "champion"
share = 0.5

[[experiments.arms]]
name = "fewer"
share = 0.5
description = "Skip the dpd_3 e-mail and the dpd_10 SMS and call."
skip_steps = ["dpd_3", "dpd_10"]
"""


def test_the_shipped_file_is_valid_against_the_shipped_config(monkeypatch) -> None:
    from loan_comms.config import load_config
    from loan_comms.experiments.config import experiments_for

    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(SHIPPED))
    [exp] = experiments_for(load_config()).experiments
    assert exp.arms[0].name == "champion" and len(exp.arms) >= 2


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    """120 borrowers per arm of the experiment; 30 of the challenger's complained, 1 of the champion's."""
    (tmp_path / "experiments.toml").write_text(FILE, encoding="utf-8")
    monkeypatch.setenv("LOAN_COMMS_EXPERIMENTS_FILE", str(tmp_path / "experiments.toml"))
    path = tmp_path / "book.duckdb"
    con = db.connect(path)
    h = History(con)
    for arm, k in (("champion", 1), ("fewer", 30)):
        for i in range(120):
            b = h.member(f"{arm[0].upper()}{i:03d}", arm, ON)
            h.delinquent(b, date(2026, 11, 1), date(2026, 11, 8) if i % 3 == 0 else None)
            h.contact(b, date(2026, 11, 3))
            if i < k:
                h.event(b, "complaint", ON + timedelta(days=2))
    con.close()
    return path


def test_list_names_the_experiments_and_arms(book):
    res = cli("experiments", "list", "--db", book)
    assert res.exit_code == 0, res.output
    assert "fewer_contacts: 2026-11-01 to 2027-03-31" in res.output
    assert "  champion: 50%" in res.output and "  fewer: 50% - Skip the dpd_3" in res.output


def test_readout_markdown_and_json(book):
    res = cli("experiments", "readout", "--db", book, "--as-of", "2026-12-15")
    assert res.exit_code == 0, res.output
    assert "# Experiment fewer_contacts" in res.output
    assert "| borrowers | 120 | 120 |" in res.output
    assert "fewer: not enough data yet (120 of" in res.output
    assert "C000" not in res.output and "F000" not in res.output
    res = cli("experiments", "readout", "--db", book, "--as-of", "2026-12-15", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    [e] = doc["experiments"]
    assert e["experiment"] == "fewer_contacts" and [a["borrowers"] for a in e["arms"]] == [120, 120]
    assert e["arms"][1]["complaint_borrowers"] == 30 and e["arms"][0]["cure_rate"] == pytest.approx(40 / 120)
    low, high = e["comparisons"][0]["complaint_rate"]["low"], e["comparisons"][0]["complaint_rate"]["high"]
    assert 0 < low < high


def test_errors_are_one_line(book, tmp_path):
    res = cli("experiments", "readout", "--db", book, "--experiment", "nope")
    assert res.exit_code == 1
    assert res.output.count("\n") == 1 and res.output.startswith("loan-comms: ") and "no experiment named 'nope'" in res.output
    res = cli("experiments", "readout", "--db", tmp_path / "missing.duckdb")
    assert res.exit_code != 0 and res.output.count("\n") == 1 and res.output.startswith("loan-comms: ")


def test_guardrails_command_stops_once(book):
    res = cli("experiments", "guardrails", "--db", book, "--as-of", "2026-11-10")
    assert res.exit_code == 0, res.output
    assert "arm fewer stopped from 2026-11-11" in res.output and "2026-11-10: 1 arm(s) stopped" in res.output
    res = cli("experiments", "guardrails", "--db", book, "--as-of", "2026-11-10")
    assert res.exit_code == 0 and res.output.strip().endswith("2026-11-10: 0 arm(s) stopped")
    res = cli("experiments", "list", "--db", book)
    assert "fewer: 50% - Skip the dpd_3 e-mail and the dpd_10 SMS and call.; stopped 2026-11-11 (complaint_rate)" \
        in res.output


def test_report_section_renders_and_escapes(con):
    h = History(con)
    for arm in ("champion", "fewer"):
        for i in range(12):
            b = h.member(f"{arm[0].upper()}{i:03d}", arm, ON)
            h.delinquent(b, date(2026, 11, 1), date(2026, 11, 8) if i % 2 else None)
    file = experiment(description='Fewer <script>alert("x")</script> & shorter')
    section = experiments_section(readout(con, file, date(2026, 12, 15)))
    assert '<h2 id="experiments">Experiments</h2>' in section
    assert "<script>alert" not in section and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; shorter" in section
    assert "<th>fewer − champion</th>" in section and "<td>cure rate (current within 30 days)</td>" in section
    assert "not enough data yet" in section and 'id="chart-experiment-fewer_contacts"' in section
    assert "No experiment has started" in experiments_section([])


def test_the_feedback_report_carries_the_section(con):
    from loan_comms.surveys import aggregate, load_themes
    from loan_comms.surveys.report import render_report

    History(con).member("C000", "champion", ON)
    themes = load_themes()
    aggregate(con, themes)
    page = render_report(con, themes=themes, experiments=readout(con, experiment(), date(2026, 12, 1)))
    assert '<h2 id="experiments">Experiments</h2>' in page and "<h3>fewer_contacts</h3>" in page
    assert '<h2 id="experiments">' not in render_report(con, themes=themes), "no readouts: no section"
