"""The core-banking export: every accepted, broken and kept plan reaches the lender once and only once.

Parts of the system that decide a plan's fate insert one arrangement_exports row per plan event
(export_id = arrangement_id || ':' || event, its JSON payload byte for byte what goes out). A pass
(`export_arrangements`, run by the daily flows after the plan is recorded, by the ingest flow after
choices land, and by `loan-comms arrangements export`) then:

1. **files** each new record under the pass's day (file_day, committed first) and rewrites that
   day's `arrangements-YYYY-MM-DD.jsonl` / `.csv` from the table, atomically (export_files.py), plus
   any day whose files a crash left short: each record is in exactly one day's files, once;
2. when a webhook is set, **settles the doubtful**: a claim a crashed pass left 'sending' becomes
   'unknown'; an unknown record whose claim is reconcile_after_seconds old is looked up (lookup_url):
   200 delivered, 404 pending again, anything else stays unknown. Without lookup_url an unknown
   record is NEVER sent again: an operator resolves it (`--resolve ID delivered|resend`);
3. **sends** each pending record: claimed first ('sending', tries + 1, committed on its own before
   the request leaves), then POSTed once, signed; 2xx delivered; certainly not arrived (refused
   connection, 408, 429) pending for a later pass; may have arrived (timeout after sending, reset,
   5xx, a 2xx that is not JSON) unknown; any other 4xx failed with the status, loud.

Why this order and these states: the core banking system, like Twilio and SendGrid, does not
deduplicate by any header, so a second POST of a record is a second arrangement booked on a loan.
The guarantee is the delivery package's (docs/delivery.md): at most once always (no request while an
earlier one may have arrived and has not been shown absent), exactly once when the lookup answers.

The report says what the pass did and what needs a person (failed records, unknown ones past their
time, a halted pass); the CLI exits non-zero and the flows post an alert for those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import httpx

from loan_comms import db
from loan_comms.arrangements import export_files as files
from loan_comms.arrangements import export_http as wire
from loan_comms.arrangements.export_http import ExportConfigError, Webhook, webhook_from
from loan_comms.errors import LoanCommsError
from loan_comms.ops.alerting import Alert

__all__ = ["ExportConfigError", "ExportReport", "ExportResolveError", "export_arrangements", "resolve_export"]

# Connection failures in a row after which the pass stops sending (the rest stay pending): the core
# banking system is down, and hammering it record by record would not change that.
DOWN_AFTER = 3
_STATUS: dict[wire.Verdict, str] = {"delivered": "delivered", "not_sent": "pending", "unknown": "unknown",
                                    "failed": "failed"}


class ExportResolveError(LoanCommsError, ValueError):
    """An operator's --resolve that cannot apply (no such record, nothing to resolve); one line."""

    exit_code = 2


@dataclass
class ExportReport:
    """What one export pass did, and the table's totals after it (counts and export ids only)."""

    day: date
    webhook: bool = False
    filed: int = 0                   # records filed under `day` this pass
    refused: int = 0                 # payloads that cannot go out (failed, never filed)
    days_written: list[date] = field(default_factory=list)
    crashed: int = 0                 # claims a stopped pass left 'sending', now unknown
    found: int = 0                   # unknown records the lookup found (delivered)
    absent: int = 0                  # unknown records the lookup did not find (pending again)
    sent: int = 0                    # POSTs made
    delivered: int = 0
    not_sent: int = 0                # certainly not arrived: pending for a later pass
    unknown: int = 0                 # may have arrived: looked up before any new send
    failed: int = 0                  # refused by the core banking system (4xx)
    halted: str | None = None        # why the pass stopped sending early
    totals: dict[str, int] = field(default_factory=dict)
    attention: list[dict[str, Any]] = field(default_factory=list)   # failed, or unknown past its time

    @property
    def needs_operator(self) -> bool:
        """Anything failed or unknown past reconcile_after_seconds, or a pass that stopped early."""
        return bool(self.attention) or self.halted is not None

    def __str__(self) -> str:
        t = self.totals
        line = (f"arrangement export {self.day}: filed {self.filed}, files written {len(self.days_written)}, "
                f"refused {self.refused}")
        if self.webhook:
            line += (f"; sent {self.sent}: delivered {self.delivered}, not sent {self.not_sent}, "
                     f"unknown {self.unknown}, failed {self.failed}; looked up: found {self.found}, "
                     f"absent {self.absent}; crashed claims {self.crashed}")
        else:
            line += "; webhook off (files only)"
        line += (f"; totals: delivered {t.get('delivered', 0)}, pending {t.get('pending', 0)}, "
                 f"unknown {t.get('unknown', 0) + t.get('sending', 0)} ({t.get('unknown_overdue', 0)} past their time), "
                 f"failed {t.get('failed', 0)}")
        if self.halted:
            line += f"; stopped: {self.halted}"
        return line

    def alert(self, flow: str) -> Alert | None:
        """The operator alert (ids and counts only), or None when nothing needs a person."""
        if not self.needs_operator:
            return None
        ids = ", ".join(f"{a['export_id']} ({a['status']})" for a in self.attention[:5])
        more = " ..." if len(self.attention) > 5 else ""
        why = f"{len(self.attention)} arrangement export record(s) need an operator: {ids}{more}" if ids else ""
        if self.halted:
            why = f"{why}; " if why else ""
            why += f"export stopped: {self.halted}"
        return Alert(kind="arrangement_export", flow=flow, as_of=self.day.isoformat(),
                     counts={k: int(v) for k, v in self.totals.items()},
                     text=f"{why}; `loan-comms arrangements export --resolve ID delivered|resend`")


def export_arrangements(con: duckdb.DuckDBPyConnection, cfg: Any, *, db_path: str | Path | None,
                        day: date | None = None, now: datetime | None = None,
                        client: httpx.Client | None = None) -> ExportReport:
    """One pass: file new records under `day` (default: the UTC date of `now`), rewrite the day files
    that need it, settle unknown records and send the pending ones. `now` (default the wall clock)
    stamps claims and deliveries and times the lookups. Never inside a caller's transaction: a claim
    must be committed before its request leaves."""
    now = now or datetime.now(UTC)
    day = day or now.astimezone(UTC).date()
    export_cfg = cfg.arrangements.export
    hook = webhook_from(export_cfg)                      # a config problem stops the pass before any write
    report = ExportReport(day=day, webhook=hook is not None)
    _file(con, files.export_dir(export_cfg.dir, db_path), day, report)
    if hook is not None:
        own = client is None
        http = client or httpx.Client(timeout=hook.timeout_seconds)
        try:
            _settle_unknown(con, http, hook, now, report)
            _send(con, http, hook, now, report)
        finally:
            if own:
                http.close()
    cutoff = now - timedelta(seconds=int(export_cfg.reconcile_after_seconds))
    report.totals = db.rows(con, "arrangements/export_counts", {"cutoff": cutoff})[0]
    report.attention = db.rows(con, "arrangements/export_attention", {"cutoff": cutoff})
    return report


def _file(con: duckdb.DuckDBPyConnection, folder: Path, day: date, report: ExportReport) -> None:
    """Check and file the new records (one transaction), then write every day's files that need it."""
    with db.transaction(con):
        for row in db.rows(con, "arrangements/export_unfiled"):
            problem = files.payload_problem(row["payload"])
            if problem is not None:
                report.refused += db.changed(con, "arrangements/export_refuse",
                                             {"export_id": row["export_id"], "error": f"refused: {problem}"})
        report.filed = db.changed(con, "arrangements/export_file_mark", {"day": day})
    for row in db.rows(con, "arrangements/export_file_days"):
        file_day = row["file_day"]
        if files.needs_writing(folder, file_day, row["records"]):
            files.write_day(folder, file_day, db.rows(con, "arrangements/export_file_rows", {"day": file_day}))
            report.days_written.append(file_day)


def _settle(con: duckdb.DuckDBPyConnection, export_id: str, frm: str, status: str, error: str | None,
            now: datetime) -> int:
    return db.changed(con, "arrangements/export_settle",
                      {"export_id": export_id, "from": frm, "status": status, "error": error, "now": now})


def _settle_unknown(con: duckdb.DuckDBPyConnection, http: httpx.Client, hook: Webhook, now: datetime,
                    report: ExportReport) -> None:
    """Crashed claims become unknown; unknown ones old enough are looked up (when lookup_url is set)."""
    report.crashed = db.changed(con, "arrangements/export_crashed")
    if hook.lookup_url is None:
        return                                           # never re-sent: the operator resolves them
    cutoff = now - timedelta(seconds=hook.reconcile_after_seconds)
    for row in db.rows(con, "arrangements/export_reconcile_due", {"cutoff": cutoff}):
        out = wire.lookup(http, hook, row["export_id"])
        if out.verdict == "delivered":
            report.found += _settle(con, row["export_id"], "unknown", "delivered", out.detail, now)
        elif out.verdict == "not_sent":
            report.absent += _settle(con, row["export_id"], "unknown", "pending", out.detail, now)
        else:
            _settle(con, row["export_id"], "unknown", "unknown", out.detail, now)


def _send(con: duckdb.DuckDBPyConnection, http: httpx.Client, hook: Webhook, now: datetime,
          report: ExportReport) -> None:
    """POST each pending record once, each claimed (and committed) before its request leaves."""
    down = 0
    for row in db.rows(con, "arrangements/export_due"):
        export_id = row["export_id"]
        if not db.changed(con, "arrangements/export_claim", {"export_id": export_id, "now": now}):
            continue
        out = wire.post(http, hook, export_id, row["payload"].encode("utf-8"))
        report.sent += 1
        status = _STATUS[out.verdict]
        _settle(con, export_id, "sending", status, None if status == "delivered" else out.detail, now)
        setattr(report, out.verdict, getattr(report, out.verdict) + 1)
        down = down + 1 if out.verdict == "not_sent" and out.status is None else 0
        if out.status == 429:
            report.halted = "the core banking system asks us to slow down (429); the rest waits for the next pass"
        elif down >= DOWN_AFTER:
            report.halted = (f"the core banking system is unreachable ({down} connection failures in a row; "
                             f"last: {out.detail}); the rest stays pending")
        elif out.halt:
            report.halted = (f"the core banking system refused us ({out.status}): check arrangements.export.url "
                             f"and the signing secret; the rest stays pending")
        if report.halted:
            break


Action = Literal["delivered", "resend"]


def resolve_export(con: duckdb.DuckDBPyConnection, export_id: str, action: str, *, now: datetime,
                   by: str = "operator") -> str:
    """An operator settles a record no lookup could: 'delivered' (the core banking system has it) or
    'resend' (it does not: pending again, sent by the next pass). Only an unknown, stale 'sending' or
    failed record can be resolved. Returns one line saying what changed."""
    if action not in ("delivered", "resend"):
        raise ExportResolveError(f"--resolve {export_id} {action}: the action is delivered or resend")
    found = db.rows(con, "arrangements/export_record", {"export_id": export_id})
    if not found:
        raise ExportResolveError(f"--resolve: no export record {export_id!r} (ids look like <arrangement_id>:accepted)")
    status = found[0]["status"]
    if status not in ("unknown", "sending", "failed"):
        raise ExportResolveError(f"--resolve: export record {export_id} is {status}; only unknown or failed "
                                 "records can be resolved")
    new = "delivered" if action == "delivered" else "pending"
    note = f"resolved by {by}: {'the core banking system has it' if new == 'delivered' else 'send again'}"
    _settle(con, export_id, status, new, note, now)
    return f"export record {export_id}: {status} -> {new}"
