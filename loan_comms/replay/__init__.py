"""What-if replay (issue 19): plan past days again with a changed config (and templates) on a scratch
copy of the book, and report what would have differed. The real book is only ever read.

    report = replay(book, cfg, renderer, start, end, scratch=path)   # -> ReplayReport (str / to_json)

Steps: scratch.make_scratch (copy, keep the recorded log, roll the plan's work back to the start of
`start`), replan.replan (each day at its recorded instant, outcomes copied or assumed), compare.compare
(diff in SQL, audit of the scratch log). docs/replay.md says what is assumed and what cannot be exact.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from loan_comms.config import LifecycleConfig
from loan_comms.lifecycle.rendering import Renderer
from loan_comms.replay.compare import ReplayReport, compare
from loan_comms.replay.replan import replan
from loan_comms.replay.scratch import ReplayError, check_dates, check_paths, default_scratch, make_scratch

__all__ = ["ReplayError", "ReplayReport", "check_dates", "check_paths", "default_scratch", "replay"]


def replay(book: Path, cfg: LifecycleConfig, renderer: Renderer, start: date, end: date, *,
           scratch: Path | None = None) -> ReplayReport:
    """Replay start..end of `book` with `cfg` and `renderer` into `scratch` (default: next to the
    book, replaced), and compare with the recorded log."""
    book = Path(book)
    scratch = Path(scratch) if scratch is not None else default_scratch(book)
    con = make_scratch(book, scratch, cfg, start, end)
    try:
        done = replan(con, cfg, renderer, start, end)
        return compare(con, cfg, scratch, start, end, done.assumed_sent)
    finally:
        con.close()
