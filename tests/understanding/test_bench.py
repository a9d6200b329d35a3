"""bench/replies.py reads a labelled corpus and prints its scores (on a tiny corpus of our own)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_scores_confusion_and_throughput(capsys):
    spec = importlib.util.spec_from_file_location("bench_replies", ROOT / "bench" / "replies.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main([str(Path(__file__).parent / "data" / "mini_corpus.jsonl"), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "opt_out              1.000   1.000" in out
    assert "confusion" in out and "misses (0)" in out and "replies/s" in out
    assert "Stop texting me" not in out          # ids only: no reply text in the report
