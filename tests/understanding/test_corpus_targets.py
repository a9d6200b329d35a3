"""Issue 12's targets on the labelled corpus, as a test that fails when a rule change breaks them.

corpus.jsonl: opt-out recall 1.0 counting clear OR review (review pauses contact and becomes an
opt-out at its deadline), opt-out precision >= 0.97 on clear predictions, hardship and dispute
recall >= 0.9 (clear or review). The held-out corpus (holdout.jsonl, written apart from the rules
to check they generalise) is checked only when present, against HOLDOUT_TARGETS: the lead sets
those thresholds, so they are one list, easy to change.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "replies"
HOLDOUT = DATA / "holdout.jsonl"
HOLDOUT_TARGETS: list[tuple[str, str, float]] = [
    ("opt_out", "R(any)", 0.95),
]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_replies", ROOT / "bench" / "replies.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _unmet(path: Path, targets: list[tuple[str, str, float]] | None = None) -> list[str]:
    bench = _bench()
    scores = bench.score(bench.load(path))
    met = bench.targets_met(scores, targets if targets is not None else bench.TARGETS)
    return [f"{label}: {value:.3f}" for label, value, _t, ok in met if not ok]


def test_corpus_meets_the_issue_targets():
    assert _unmet(DATA / "corpus.jsonl") == []


@pytest.mark.skipif(not HOLDOUT.exists(), reason="no held-out corpus yet")
def test_holdout_opt_out_recall():
    assert _unmet(HOLDOUT, HOLDOUT_TARGETS) == []


def test_targets_are_the_issue_s():
    assert _bench().TARGETS == [("opt_out", "R(any)", 1.0), ("opt_out", "P(clear)", 0.97),
                                ("hardship", "R(any)", 0.9), ("dispute", "R(any)", 0.9)]
