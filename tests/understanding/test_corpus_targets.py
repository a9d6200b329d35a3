"""Issue 12's targets on the labelled corpus, as a test that fails when a rule change breaks them.

corpus.jsonl: opt-out recall 1.0 counting clear OR review (review pauses contact and becomes an
opt-out at its deadline), opt-out precision >= 0.97 on clear predictions, hardship and dispute
recall >= 0.9 (clear or review).

The held-out corpora were written by other hands, apart from the rules and from corpus.jsonl, to
check that the rules generalise: holdout.jsonl served as a development set (its misses were grouped
into categories of wording and the engine gained general capabilities for them; no line of it was
read into a rule), holdout2.jsonl was never read by anyone working on the rules. Their floors are
below the corpus targets on purpose (they hold wordings no rule was written for: pinyin, Cantonese,
agents' shorthand) and sit just under what bench/RESULTS.md records, so a change that makes the rules
generalise worse fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "replies"
HOLDOUTS: dict[str, list[tuple[str, str, float]]] = {
    "holdout.jsonl": [("opt_out", "R(any)", 0.95), ("opt_out", "P(clear)", 0.85), ("hardship", "R(any)", 0.8)],
    "holdout2.jsonl": [("opt_out", "R(any)", 0.92), ("opt_out", "P(clear)", 0.9), ("hardship", "R(any)", 0.85)],
}


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


@pytest.mark.parametrize("name", sorted(HOLDOUTS))
def test_held_out_corpora_keep_their_floors(name):
    assert _unmet(DATA / name, HOLDOUTS[name]) == []


def test_targets_are_the_issue_s():
    assert _bench().TARGETS == [("opt_out", "R(any)", 1.0), ("opt_out", "P(clear)", 0.97),
                                ("hardship", "R(any)", 0.9), ("dispute", "R(any)", 0.9)]
