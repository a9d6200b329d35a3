"""What would have differed: the recorded log of the replayed days against the replayed one.

All in SQL over the scratch book (sql/replay/diff.sql, by_step.sql, by_reason.sql), and counts only
in the report: contacts per (purpose, step, channel), added and removed, suppressions per reason, the
inbound rows left answering nothing, and the independent audit of the scratch log. The contacts
behind the counts stay in the scratch book's `replay_diff` table, never in the output (no personal
data in reports).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import LifecycleConfig


@dataclass
class ReplayReport:
    """The replay's result: where it was written, what differed, and the audit of the replayed log."""

    scratch: str
    start: date
    end: date
    policy_version: str
    by_step: list[dict[str, Any]] = field(default_factory=list)
    by_reason: list[dict[str, Any]] = field(default_factory=list)
    orphans: dict[str, int] = field(default_factory=dict)
    assumed_sent: int = 0
    audit_violations: int = 0                                   # of contacts planned start..end
    audit_rules: dict[str, int] = field(default_factory=dict)   # rule -> those violations, rules that broke
    audit_before: int = 0   # violations of earlier, recorded contacts judged by the new config (not the replay's)
    templates: str = ""     # which library the replay rendered with, and why

    def total(self, column: str) -> int:
        return sum(int(r[column]) for r in self.by_step)

    @property
    def unchanged(self) -> bool:
        return not any(self.total(c) for c in ("added", "removed", "differs"))

    def to_json(self) -> str:
        data = asdict(self)
        data.update(start=str(self.start), end=str(self.end), unchanged=self.unchanged,
                    totals={c: self.total(c) for c in ("recorded", "replay", "added", "removed", "differs")})
        return json.dumps(data, indent=2, sort_keys=True)

    def __str__(self) -> str:
        lines = [f"replay {self.start}..{self.end} with policy {self.policy_version}",
                 f"scratch book: {self.scratch}",
                 *([f"templates: {self.templates}"] if self.templates else []),
                 f"contacts made: recorded {self.total('recorded')}, replay {self.total('replay')}, "
                 f"added {self.total('added')}, removed {self.total('removed')}, "
                 f"other differences {self.total('differs')}"
                 + ("  (the replay equals the recorded log)" if self.unchanged else "")]
        changed = [r for r in self.by_step if r["added"] or r["removed"] or r["differs"]]
        if changed:
            lines.append("by purpose / step / channel (recorded -> replay, +added -removed ~differs):")
            lines += [f"  {r['purpose']:<10} {r['step']:<22} {r['channel']:<6} {r['recorded']:>6} -> {r['replay']:<6} "
                      f"+{r['added']} -{r['removed']} ~{r['differs']}" for r in changed]
        moved = [r for r in self.by_reason if r["recorded"] != r["replay"]]
        lines.append("suppressions by reason (recorded -> replay):" if moved else "suppressions: same reasons, same counts")
        lines += [f"  {r['reason']:<34} {r['recorded']:>6} -> {r['replay']:<6} ({r['replay'] - r['recorded']:+d})"
                  for r in moved]
        inbound = sum(self.orphans.values())
        lines.append(f"{inbound} inbound rows answer contacts the replay did not make"
                     + (f" ({', '.join(f'{k} {v}' for k, v in self.orphans.items() if v)})" if inbound else ""))
        lines.append(f"{self.assumed_sent} contacts the recorded log never made were assumed sent as planned")
        audit = ", ".join(f"{k} {v}" for k, v in self.audit_rules.items())
        lines.append(f"audit of the replayed log: {self.audit_violations} violations" + (f" ({audit})" if audit else ""))
        if self.audit_before:
            lines.append(f"  (and {self.audit_before} violations by recorded contacts before {self.start}, judged by "
                         "the new config: the history the replay starts from, not what it did)")
        return "\n".join(lines)


def compare(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, scratch: Path, start: date, end: date,
            assumed_sent: int) -> ReplayReport:
    """Compare the replayed days on the scratch book with the recorded log kept there, and audit it."""
    params = {"start": start, "end": end}
    db.run(con, "replay/diff", params)
    orphans = db.rows(con, "replay/orphan_inbound", params)[0]
    window, before = _audit(con, cfg, set(db.value(con, "replay/replayed_attempts", params) or ()))
    return ReplayReport(
        scratch=str(scratch), start=start, end=end, policy_version=cfg.policy_version,
        by_step=db.rows(con, "replay/by_step", params), by_reason=db.rows(con, "replay/by_reason", params),
        orphans={k: int(v) for k, v in orphans.items()}, assumed_sent=assumed_sent,
        audit_violations=sum(window.values()), audit_rules=window, audit_before=before)


def _audit(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, replayed: set[str]) -> tuple[dict[str, int], int]:
    """The independent audit (loan_comms/audit) of the whole scratch log with the new config, split
    into the violations of the replayed contacts (per rule) and the number by earlier recorded ones
    (a stricter cap judges the history the replay started from too). A violation row that names no
    contact counts as the replay's."""
    report = run_audit(con, cfg, show=ALL_ROWS)
    window: dict[str, int] = {}
    before = 0
    for rule in report.rules:
        if not rule.violations:
            continue
        mine = sum(1 for row in rule.rows if row.get("attempt_id") is None or row["attempt_id"] in replayed)
        mine += max(0, rule.violations - len(rule.rows))   # rows beyond ALL_ROWS: counted as the replay's
        before += rule.violations - mine
        if mine:
            window[rule.name] = mine
    return window, before


ALL_ROWS = 1_000_000
