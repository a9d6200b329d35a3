"""bench/daily_run.py, the issue-17 benchmark: on a small book it runs every stage and prints the
table with the ratio to the raw limits (figures only: no timing is asserted), and --results adds
the run under its own heading of bench/RESULTS.md without touching the other sections."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "daily_run.py"

STAGES = ("generate", "export (file for the import)", "import", "state", "candidates+policy", "render", "record",
          "other SQL", "python glue + Prefect", "**plan + record (daily-plan flow)**", "outbox (dispatch-day task)",
          "**daily run (plan + outbox)**", "raw select (materialized)", "raw render (batched Jinja)",
          "raw insert (Arrow)", "**raw limits, sum**")


def _module():
    spec = importlib.util.spec_from_file_location("daily_run_under_test", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_small_book_prints_every_stage_and_the_ratio(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "LOAN_COMMS_"))}
    done = subprocess.run([sys.executable, str(SCRIPT), "--loans", "2000", "--workdir", str(tmp_path)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    table = out[out.index("#### 2,000 loans"):out.index("#### Targets")]
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in table.splitlines() if line.startswith("| ")}
    for stage in STAGES:
        assert stage in rows, f"no row for {stage}"
        assert float(rows[stage][0]) >= 0   # seconds
    plan = rows["**plan + record (daily-plan flow)**"]
    assert int(plan[5]) >= 1                                # Prefect task runs of the flow run, from the API
    assert plan[7].strip().endswith("x")                    # real / raw
    assert int(rows["outbox (dispatch-day task)"][5]) == 1  # the dispatch-day task run
    assert "Ratio of the real run to the sum of the raw limits: plan + record **" in table
    assert "raw render wording differs" not in table        # the floor renders the same wording
    targets = out[out.index("#### Targets"):]
    for what in ("daily plan + record, 1M loans", "outbox dispatch of that day", "seconds per loan", "render",
                 "import 1.2M rows", "generate 1M loans"):
        assert f"| {what}" in targets
    assert "Machine: " in out and "Command: `" in out
    assert not list(tmp_path.iterdir())   # the books and Prefect's home are gone


def test_results_go_under_their_own_heading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = _module()
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Earlier\n\nold figures\n", encoding="utf-8")
    monkeypatch.setattr(mod, "RESULTS", results)
    mod.append_results("### run one\n")
    results.write_text(results.read_text(encoding="utf-8") + "\n## Later section\n\nother\n", encoding="utf-8")
    mod.append_results("### run two\n")
    text = results.read_text(encoding="utf-8")
    assert text.count(mod.HEADING) == 1
    assert text.index("## Earlier") < text.index(mod.HEADING) < text.index("### run one") \
        < text.index("### run two") < text.index("## Later section")
    assert "old figures" in text and "other" in text
