"""How well, and how fast, the reply understanding module reads a labelled corpus.

    .venv/bin/python bench/replies.py [CORPUS ...] [--repeat 20] [--show-misses 40]

Each CORPUS (default: the three of tests/data/replies: corpus.jsonl, which the rules were tuned on,
and the held-out holdout.jsonl and holdout2.jsonl, see their .md) is scored and printed on its own. A CORPUS has one JSON object a line:
{"id", "text", "channel", "lang", "intents": [...], "opt_out_scope": "this"|"all"|null, "note"}.
Prints, per intent, precision / recall / F1 twice: counting an intent as predicted when it is clear
OR in review (what the system acts on: review pauses contact), and clear only; the confusion
matrix of the primary intent (the first label vs the first prediction, "other" when none); the
misses by id (never the text: corpora may hold real replies); whether the targets of issue 12
are met (TARGETS: opt-out recall 1.0 counting clear or review, opt-out precision >= 0.97 on clear
predictions, hardship and dispute recall >= 0.9); and the throughput (replies/s) after the first
call, against a raw baseline (NFKC + lower() of the same texts) timed in the same run, so the
figure reads on any machine. A line labelled ["other"] and predicted nothing is right, not a miss.
Relative dates are read against each line's received_at when it has one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loan_comms.understanding import INTENTS, understand  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "replies"
DEFAULT = DATA / "corpus.jsonl"
ALL = [DATA / "corpus.jsonl", DATA / "holdout.jsonl", DATA / "holdout2.jsonl"]
AT = datetime(2026, 11, 18, 3, 0, tzinfo=timezone.utc)
LABELS = [i for i in INTENTS if i != "other"]
# Issue 12's targets: (intent, measure, threshold); measure "R(any)" counts clear or review (review
# pauses contact), "P(clear)" counts only what is applied at once.
TARGETS: list[tuple[str, str, float]] = [
    ("opt_out", "R(any)", 1.0),
    ("opt_out", "P(clear)", 0.97),
    ("hardship", "R(any)", 0.9),
    ("dispute", "R(any)", 0.9),
]


def load(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not JSON ({exc.msg})") from None
    return rows


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def received(row: dict) -> datetime:
    try:
        return datetime.fromisoformat(row["received_at"])
    except (KeyError, TypeError, ValueError):
        return AT


def score(rows: list[dict]) -> dict:
    """Counts per intent (any = clear or review; clear), the primary-intent confusion, the misses."""
    results = [understand(r["text"], channel=r.get("channel", "sms"), received_at=received(r)) for r in rows]
    any_counts = {k: Counter() for k in LABELS}
    clear_counts = {k: Counter() for k in LABELS}
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    scope_wrong = []
    for row, res in zip(rows, results):
        gold = set(row.get("intents") or []) - {"other"}        # ["other"] means: nothing to act on
        clear = {i.name for i in res.intents}
        either = clear | {i.name for i in res.review}
        for k in LABELS:
            for counts, pred in ((any_counts[k], either), (clear_counts[k], clear)):
                if k in gold and k in pred:
                    counts["tp"] += 1
                elif k in pred:
                    counts["fp"] += 1
                elif k in gold:
                    counts["fn"] += 1
        g0 = (row.get("intents") or ["other"])[0]
        p0 = (res.intents or res.review or ())
        confusion[(g0, p0[0].name if p0 else "other")] += 1
        if gold != either:
            misses.append((row["id"], sorted(gold) or ["other"], sorted(either)))
        scope = row.get("opt_out_scope")
        if scope and "opt_out" in clear:
            got = next(i.scope for i in res.intents if i.name == "opt_out")
            if (scope == "all") != (got == "all"):
                scope_wrong.append((row["id"], scope, got))
    return {"any": any_counts, "clear": clear_counts, "confusion": confusion, "misses": misses,
            "scope_wrong": scope_wrong}


def measure(scores: dict, intent: str, name: str) -> float:
    """One figure: "P(any)", "R(any)", "P(clear)" or "R(clear)" of an intent."""
    kind, which = name[0], name[2:-1]
    c = scores[which][intent]
    p, r, _f = prf(c["tp"], c["fp"], c["fn"])
    return p if kind == "P" else r


def targets_met(scores: dict, targets: list[tuple[str, str, float]] = TARGETS) -> list[tuple[str, float, float, bool]]:
    """Each target as (label, value, threshold, met)."""
    out = []
    for intent, name, threshold in targets:
        v = measure(scores, intent, name)
        out.append((f"{intent} {name} >= {threshold:g}", v, threshold, v >= threshold - 1e-9))
    return out


def report(path: Path, rows: list[dict], show_misses: int) -> dict:
    scores = score(rows)
    any_counts, clear_counts, confusion = scores["any"], scores["clear"], scores["confusion"]
    misses, scope_wrong = scores["misses"], scores["scope_wrong"]
    print(f"corpus {path} ({len(rows)} replies)\n")
    print(f"{'intent':18} {'P(any)':>7} {'R(any)':>7} {'F1':>6}   {'P(clear)':>8} {'R(clear)':>8} {'F1':>6}  support")
    for k in LABELS:
        a, c = any_counts[k], clear_counts[k]
        support = a["tp"] + a["fn"]
        pa, ra, fa = prf(a["tp"], a["fp"], a["fn"])
        pc, rc, fc = prf(c["tp"], c["fp"], c["fn"])
        print(f"{k:18} {pa:7.3f} {ra:7.3f} {fa:6.3f}   {pc:8.3f} {rc:8.3f} {fc:6.3f}  {support}")

    labels = [*LABELS, "other"]
    print("\nconfusion (primary intent; rows = labelled, columns = predicted)")
    short = {k: k[:6] for k in labels}
    print(" " * 18 + "".join(f"{short[k]:>7}" for k in labels))
    for g in labels:
        print(f"{g:18}" + "".join(f"{confusion[(g, p)]:>7}" for p in labels))

    print(f"\nmisses ({len(misses)}): id, labelled, predicted (clear or review)")
    for m in misses[:show_misses]:
        print(f"  {m[0]}: {m[1]} -> {m[2]}")
    if scope_wrong:
        print(f"\nopt-out scope wrong ({len(scope_wrong)}): " + ", ".join(f"{i} ({s} -> {g})" for i, s, g in scope_wrong))
    met = targets_met(scores)
    print("\ntargets (issue 12): " + ("ALL MET" if all(m[3] for m in met) else "NOT MET"))
    for label, v, _t, ok in met:
        print(f"  {'met    ' if ok else 'NOT MET'} {label}: {v:.3f}")
    print()
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="*", type=Path, default=ALL)
    ap.add_argument("--repeat", type=int, default=20, help="passes over the corpus for the throughput")
    ap.add_argument("--show-misses", type=int, default=60)
    args = ap.parse_args(argv)
    corpora = args.corpus or ALL
    for path in corpora:
        if not path.exists():
            print(f"{path}: no such corpus", file=sys.stderr)
            return 2
    all_rows: list[dict] = []
    for path in corpora:
        rows = load(path)
        report(path, rows, args.show_misses)
        all_rows.extend(rows)
    rows = all_rows

    texts = [r["text"] for r in rows] * args.repeat
    t0 = time.perf_counter()
    for t in texts:
        unicodedata.normalize("NFKC", t).lower()
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    for r in rows * args.repeat:
        understand(r["text"] + " ", channel=r.get("channel", "sms"), received_at=received(r))   # defeat the cache
    took = time.perf_counter() - t0
    n = len(texts)
    print(f"\nthroughput: {n / took:,.0f} replies/s understood; raw baseline (NFKC + lower) "
          f"{n / base:,.0f} replies/s; ratio {took / base:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
