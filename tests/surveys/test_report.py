"""The feedback report: self-contained (no network), every chart there, drawn in headless Chromium,
and no comment text in it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from loan_comms.surveys import aggregate
from loan_comms.surveys import CHARTS, write_report

from .builders import reply, survey

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture
def report(con, tmp_path) -> Path:
    for week, scores in ((date(2026, 11, 3), (10, 9, 6)), (date(2026, 11, 10), (9, 8, 2, None))):
        for s in scores:
            survey(con, scale="nps", score=s, day=week, contacts_30d=4)
    for s, team, step, n in ((5, "A", "dpd_3", 1), (2, "B", "dpd_7", 12), (4, "B", "dpd_7", 7)):
        survey(con, scale="csat", score=s, team=team, last_step=step, contacts_30d=n,
               comment="agent 13800138000 was rude" if s == 2 else None)
    reply(con, "天天打电话，太骚扰了")
    aggregate(con)
    return write_report(con, tmp_path / "out" / "feedback.html", source="/somewhere/demo.duckdb")


def test_report_is_self_contained_with_every_chart(report):
    page = report.read_text(encoding="utf-8")
    assert page.count('class="chart"') == len(CHARTS)
    for key in CHARTS:
        assert f'id="chart-{key}"' in page
    assert "Plotly.newPlot" in page and len(page) > 1_000_000           # plotly.js embedded, once
    assert not re.search(r"<script[^>]+src=", page)                      # nothing fetched
    assert "cdn" not in re.sub(r"<script.*?</script>", "", page, flags=re.S).lower()
    shown = re.sub(r"<script.*?</script>", "", page, flags=re.S)              # plotly.js's own words aside
    data = "".join(re.findall(r"Plotly\.newPlot\((.*?)\)\s*};?", page, flags=re.S))   # the figures' data
    assert data and "13800138000" not in shown + data and "rude" not in shown + data and "骚扰" not in shown + data
    assert "demo.duckdb" in shown and "/somewhere" not in page


def test_empty_database_still_gives_a_report(con, tmp_path):
    aggregate(con)
    page = write_report(con, tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "no surveys yet" in page and page.count("no answers yet") == len(CHARTS)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (CI: apt-get install -y chromium)")
def test_charts_are_drawn_in_headless_chromium(report, tmp_path):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-extensions", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=10000", "--dump-dom", report.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    for key in CHARTS:
        section = dom.split(f'id="chart-{key}"', 1)[1].split('class="chart"', 1)[0]
        assert 'class="main-svg"' in section, key              # plotly drew its SVG
    # The data are drawn: NPS line points, CSAT bars, theme bars.
    nps = dom.split('id="chart-nps-trend"', 1)[1].split('class="chart"', 1)[0]
    assert nps.count('class="point') >= 2
    themes = dom.split('id="chart-themes"', 1)[1]
    assert 'class="point' in themes
    assert "no answers yet" not in dom
