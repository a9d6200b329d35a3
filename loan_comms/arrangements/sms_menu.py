"""An SMS reply that picks from the plan menu ("reply 1 for 3 months of ¥420, 2 for ...") chooses that plan.

`claim_menu_choices` is called by inbound/replies.land_texts inside its transaction, BEFORE the survey
scores (a bare "1" is both a menu pick and a score; whichever message the number got LAST decides,
and both paths apply that rule, so the two never both claim a text). A pick (menu_parse.menu_choice)
lands on the sender number's open offer only when sql/arrangements/menu_for_sender.sql finds one:
the offer is the matched borrower's, it was the latest SMS to that number, and it is open. It then
becomes a Choice(source='sms', token, option_no, external_id = the SMS sid) for land_choices, in the
same transaction as the reply event, which is still recorded (an sms_reply saying which option it
chose). The menu lists the first [arrangements] sms_menu_options options that need no approval,
under their own option numbers (offers.py); a number it did not list (an option that needs approval,
one beyond the menu: those are on the page only, or none at all), or a choice land_choices refuses,
is quarantined with its reason and the text stays a normal reply, read like any other. A re-ingested reply is known before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import reader

ENTITY = "arrangement_choice"          # import_quarantine.entity of a refused pick

_SCHEMA = pa.schema([("seq", pa.int64()), ("sender", pa.string()), ("borrower_id", pa.string()),
                     ("occurred_at", pa.timestamp("us", tz="UTC"))])


@dataclass(frozen=True)
class MenuText:
    """A matched SMS reply that reads as a menu pick (seq: its place in the caller's batch)."""

    seq: int
    sender: str
    borrower_id: str
    option_no: int
    occurred_at: datetime
    external_id: str
    source_file: str | None = None
    source_line: int = 0


def _quarantine_row(t: MenuText, reason: str) -> dict[str, Any]:
    return dict(source_file=t.source_file or "<sms_reply>", source_line=t.source_line, entity=ENTITY,
                record_id=t.external_id, reason=reason[:500], raw=None)


def claim_menu_choices(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, texts: Sequence[MenuText],
                       now: datetime) -> dict[int, int]:
    """Land each pick on its number's open offer; returns {seq: option_no} of the texts that became a
    plan choice (accepted or waiting for review). Inside the caller's transaction."""
    if not texts or not cfg.arrangements.enabled:
        return {}
    from loan_comms.arrangements.accept import Choice, land_choices

    rows = [dict(seq=t.seq, sender=t.sender, borrower_id=t.borrower_id, occurred_at=t.occurred_at) for t in texts]
    with db.registered(con, pa.Table.from_pylist(rows, schema=_SCHEMA), "_menu_texts"):
        found = {r["seq"]: r for r in db.rows(con, "arrangements/menu_for_sender",
                                              {"menu_size": cfg.arrangements.sms_menu_options})}
    out_of_range: list[dict[str, Any]] = []
    picks: list[tuple[MenuText, Choice]] = []
    for t in texts:
        offer = found.get(t.seq)
        if offer is None:
            continue
        menu = [int(n) for n in offer["menu"]]
        if t.option_no not in menu:
            listed = ", ".join(map(str, menu)) or "none"
            out_of_range.append(_quarantine_row(
                t, f"option {t.option_no} is not in this offer's SMS menu ({listed}): kept as a normal reply"))
            continue
        picks.append((t, Choice(source="sms", external_id=t.external_id, chosen_at=t.occurred_at,
                                token=offer["token"], option_no=t.option_no, source_file=t.source_file,
                                source_line=t.source_line)))
    reader.quarantine(con, out_of_range)
    if not picks:
        return {}
    report = land_choices(con, cfg, [c for _, c in picks], now=now)     # quarantines what it refuses
    refused = {id(c) for c, _ in report.refused}
    return {t.seq: t.option_no for t, c in picks if id(c) not in refused}
