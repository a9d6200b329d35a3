"""Dispatch: release planned contacts whose window is open, through their channel's provider.

Exactly once, with providers that do not deduplicate (Twilio Messages, SendGrid mail/send):
1. every pass first settles the sends whose outcome is unknown with the provider (reconcile.py):
   found, absent (planned again) or still unknown;
2. the policy re-check suppresses what may no longer go;
3. each batch for a remote provider is claimed (marked sent, outcome unknown, in flight) and
   committed BEFORE its requests leave, so a crash mid-batch leaves nothing `planned` that may have
   arrived: reconciliation decides about it. Within a pass an ambiguous try is never retried
   (providers/http.py);
4. the batch's results are written back in one transaction. The local outbox needs no claim: it
   writes its messages in that same transaction, keyed by idempotency key.

Failures are loud: a channel whose provider refuses our credentials, is not configured, or gets
nothing through (an outage) is stopped for the rest of the pass, its contacts stay planned (with
the reason noted), and dispatch_due raises DeliveryHalted once the other channels are done.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Callable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.delivery.aio import run_async
from loan_comms.delivery.providers.base import (RESULTS_SCHEMA, AnyProvider, Outcome, OutMessage, Provider, SendResult,
                                               TableProvider, build_provider, effective_provider_config)
from loan_comms.delivery.providers.errors import DeliveryHalted, combine, not_configured

log = logging.getLogger(__name__)

_MAX_PRIORITY = 2**31 - 1
_RECIPIENT_FIELD = {"sms": "borrowers.phone_e164", "email": "borrowers.email"}
_CLAIM_SCHEMA = pa.schema([("attempt_id", pa.string()), ("provider", pa.string()), ("account", pa.string())])


@dataclass
class DispatchReport:
    """What one dispatch pass did, by channel; str() is a one-line summary for logs and artifacts."""

    now: datetime
    dry_run: bool = False
    due: Counter[str] = field(default_factory=Counter)          # selected (ready to go), by channel
    sent: Counter[str] = field(default_factory=Counter)          # unknown outcomes included (recorded as sent)
    unknown: Counter[str] = field(default_factory=Counter)       # may have reached the provider: never re-sent
    failed: Counter[str] = field(default_factory=Counter)
    retry_later: Counter[str] = field(default_factory=Counter)
    cancelled: dict[str, int] = field(default_factory=dict)  # suppressed by the re-check, by reason
    failure_reasons: Counter[str] = field(default_factory=Counter)
    halted: dict[str, str] = field(default_factory=dict)   # channel -> why it stopped this pass
    reconciled: Any = None    # ReconcileReport: unknown sends of earlier passes settled with the provider
    batches: int = 0
    elapsed_s: float = 0.0
    timings: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # seconds: recheck, select, send, write

    @property
    def window_missed(self) -> int:
        return int(self.cancelled.get("window_missed", 0))

    def as_dict(self) -> dict[str, Any]:
        """Plain data for artifacts and JSON (no recipients, no wording)."""
        return {
            "now": self.now.isoformat(), "dry_run": self.dry_run, "due": dict(self.due),
            "sent": dict(self.sent), "unknown": dict(self.unknown), "failed": dict(self.failed),
            "retry_later": dict(self.retry_later), "halted": dict(self.halted),
            "cancelled": dict(self.cancelled), "window_missed": self.window_missed,
            "failure_reasons": dict(self.failure_reasons), "batches": self.batches,
            "reconciled": self.reconciled.as_dict() if self.reconciled else {},
            "elapsed_s": round(self.elapsed_s, 3), "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def __str__(self) -> str:
        def part(label: str, c: Counter[str] | dict[str, int]) -> str:
            total = sum(c.values())
            detail = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if v)
            return f"{label} {total}" + (f" ({detail})" if detail else "")

        head = f"dispatch {self.now:%Y-%m-%d %H:%M} UTC{' [dry run]' if self.dry_run else ''}: "
        bits = ["HALTED " + ", ".join(sorted(self.halted))] if self.halted else []
        bits.append(part("due", self.due))
        if not self.dry_run:
            bits.append(part("sent", self.sent))
            if self.failed or not self.halted:   # a halted pass never reads "failed 0"
                bits.append(part("failed", self.failed))
            bits.append(part("retry later", self.retry_later))
            if self.unknown:
                bits.append(part("outcome unknown (counted as sent, reconciled before any new try)", self.unknown))
        if self.reconciled:
            bits.append(str(self.reconciled))
        if self.cancelled:
            bits.append(part("suppressed at re-check", self.cancelled))
        return head + "; ".join(bits) + f"; {self.elapsed_s:.2f}s"


def dispatch_due(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, now: datetime, *,
                 batch_size: int | None = None, dry_run: bool = False, day: date | None = None,
                 progress: Callable[[int, int], None] | None = None) -> DispatchReport:
    """Send every planned contact whose window is open at `now`, in batches, and record the results.

    day: only the contacts planned for that local day (a day's dispatch on a simulated clock; a
    replayed pass of an earlier day must not send a later day's contacts at its own instant).

    First the policy re-check suppresses what may no longer go (window passed, paid, opted out...),
    so what the borrower did since planning wins. dry_run counts what is ready to go and changes
    nothing (so it counts before the re-check, which writes).
    """
    if now.tzinfo is None:
        raise ValueError("dispatch_due: `now` must be timezone-aware (UTC), got a naive datetime")
    t0 = time.perf_counter()
    report = DispatchReport(now=now, dry_run=dry_run)
    batch_size = batch_size or cfg.dispatch.batch_size
    if not dry_run:
        from loan_comms.policy.engine import recheck_before_send

        from loan_comms.delivery.reconcile import reconcile_unknown

        report.reconciled = reconcile_unknown(con, cfg, now, day=day)   # settle unknown sends before any new try
        report.cancelled = {k: int(v) for k, v in recheck_before_send(con, cfg, now, day=day).items() if v}
        report.timings["recheck"] = time.perf_counter() - t0
    due = dict(db.run(con, "delivery/due_counts", {"now": now, "day": day}).fetchall())
    report.due.update({k: int(v) for k, v in due.items()})
    total = sum(report.due.values())
    if dry_run or total == 0:
        report.elapsed_s = time.perf_counter() - t0
        return report

    providers: dict[str, AnyProvider] = {}
    halts: dict[str, DeliveryHalted] = {}
    problems: Counter[tuple[str, str, str]] = Counter()  # (channel, outcome, error) of retried / unknown contacts
    after_priority, after_id, done = _MAX_PRIORITY, "", 0
    t1 = time.perf_counter()
    db.run(con, "delivery/pass_due", {"now": now, "day": day})   # the pass's contacts, addressed once
    report.timings["select"] += time.perf_counter() - t1
    while True:
        # The pass's clock moves on while it sends: a contact whose window closes meanwhile stays
        # planned (the next pass's re-check marks it window_missed) instead of going late.
        t1 = time.perf_counter()
        batch_now = now + timedelta(seconds=t1 - t0)
        batch = db.arrow(con, "delivery/due_batch", {
            "until": batch_now, "after_priority": after_priority, "after_id": after_id,
            "limit": batch_size, "halted": sorted(halts),
        })
        report.timings["select"] += time.perf_counter() - t1
        if not batch.num_rows:
            break
        after_priority, after_id = batch["priority"][-1].as_py(), batch["attempt_id"][-1].as_py()
        _send_batch(con, cfg, now, batch, providers, report, halts, problems)  # sent_at = the pass instant
        report.batches += 1
        done += batch.num_rows
        if progress:
            progress(min(done, total), total)
    for channel, provider in providers.items():  # nothing got through all pass: an outage
        halt = getattr(provider, "outage", lambda: None)()
        if halt is not None and channel not in halts:
            _halt_channel(con, now, channel, halt, halts, day)
    report.elapsed_s = time.perf_counter() - t0
    _log_problems(problems)
    report.halted = {ch: h.message for ch, h in halts.items()}
    log.info("%s", report)
    if halts:
        exc = combine(list(halts.values()))
        exc.report = report
        raise exc
    return report


def _halt_channel(con: duckdb.DuckDBPyConnection, now: datetime, channel: str, halt: DeliveryHalted,
                  halts: dict[str, DeliveryHalted], day: date | None = None) -> None:
    """Stop `channel` for the rest of the pass; its due contacts stay planned with the reason noted."""
    halts[channel] = halt
    db.run(con, "delivery/note_halted", {"now": now, "channel": channel, "error": f"halted: {halt.message}",
                                         "day": day})


def _log_problems(problems: Counter[tuple[str, str, str]]) -> None:
    """One line per distinct transient error of the pass, with how many contacts it hit."""
    for (channel, outcome, error), n in problems.most_common(10):
        log.warning("%s: %d contact(s) %s: %s", channel, n,
                    "outcome unknown" if outcome == "unknown" else "retry later", error)
    if len(problems) > 10:
        log.warning("... and %d other distinct send errors this pass", len(problems) - 10)


def _send_batch(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, now: datetime, batch: pa.Table,
                providers: dict[str, AnyProvider], report: DispatchReport, halts: dict[str, DeliveryHalted],
                problems: Counter[tuple[str, str, str]]) -> None:
    """Send one batch (an Arrow table of due_batch.sql's rows) grouped by channel, then write every
    result back in one transaction.

    A channel whose provider cannot be built (no sender, no secret, bad base URL) or that halts
    while sending (credentials refused, outage) joins `halts`: its contacts stay planned. A local
    provider (the outbox) takes its part of the batch as one table; a gateway gets one message each."""
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(batch["recipient"]), ""), True)
    results = [_no_recipient(batch.filter(blank))]
    sendable = batch.filter(pc.invert(blank))
    groups = {ch: sendable.filter(pc.equal(sendable["channel"], ch))
              for ch in pc.unique(sendable["channel"]).to_pylist()}

    from loan_comms.delivery.providers.http import ProviderConfigError
    from loan_comms.delivery.providers.secrets import MissingSecret

    for channel in list(groups):
        if channel not in providers:
            try:
                providers[channel] = build_provider(channel, cfg)
            except (ProviderConfigError, MissingSecret) as exc:
                kind = effective_provider_config(channel, cfg).kind
                _halt_channel(con, now, channel, not_configured(channel, kind, str(exc)), halts)
        if channel in halts:  # not built, or halted earlier in the pass: not tried, stays planned
            results.append(_results_for(groups.pop(channel), "retry", None, f"halted: {halts[channel].message}", 0))
    claim, claimed = _claim(con, now, groups, providers)
    for ch in list(groups):   # a contact another pass claimed meanwhile is not ours to send
        if getattr(providers[ch], "claims", False):
            groups[ch] = groups[ch].filter(pc.is_in(groups[ch]["attempt_id"], pa.array(sorted(claimed), pa.string())))
            if not groups[ch].num_rows:
                del groups[ch]
    t0 = time.perf_counter()
    sent = run_async(_send_groups({ch: (providers[ch], tbl) for ch, tbl in groups.items()}))
    t1 = time.perf_counter()
    report.timings["send"] += t1 - t0
    results += [res for res, _ in sent.values()]

    table = pa.concat_tables(results)
    with db.transaction(con):
        for channel, tbl in groups.items():
            _persist(con, providers[channel], tbl, *sent[channel], now)
        with db.registered(con, table, "_dispatch_results"):
            db.run(con, "delivery/apply_results", {"now": now, "claim": claim, "wall": datetime.now(UTC)})
    report.timings["write"] += time.perf_counter() - t1
    for channel in groups:
        halt = getattr(providers[channel], "halted", None)
        if halt is not None and channel not in halts:
            _halt_channel(con, now, channel, halt, halts)
    _count(table, report, problems)


def _no_recipient(rows: pa.Table) -> pa.Table:
    """Failed results for contacts without an address (the field that is empty, by channel)."""
    errors = [f"no recipient: {_RECIPIENT_FIELD.get(ch, 'borrower_id')} is empty"
              for ch in rows["channel"].to_pylist()]
    return _results_for(rows, "failed", None, pa.array(errors, pa.string()), 0)


def _results_for(rows: pa.Table, outcome: str, provider: str | None, error: str | pa.Array | None,
                 tries: int) -> pa.Table:
    """The same result for every contact of `rows`, as a RESULTS_SCHEMA table."""
    n = rows.num_rows
    return pa.table({
        "attempt_id": rows["attempt_id"], "channel": rows["channel"],
        "outcome": pa.array([outcome] * n, pa.string()), "provider": pa.array([provider] * n, pa.string()),
        "provider_message_id": pa.nulls(n, pa.string()),
        "error": error if isinstance(error, (pa.Array, pa.ChunkedArray)) else pa.array([error] * n, pa.string()),
        "tries": pa.array([tries] * n, pa.int32()),
    }, schema=RESULTS_SCHEMA)


def _messages(rows: pa.Table) -> list[OutMessage]:
    """One OutMessage per row, for providers that send one request per message."""
    cols = [rows[c].to_pylist() for c in ("attempt_id", "idempotency_key", "channel", "recipient", "subject",
                                           "body_text", "body_html")]
    return [OutMessage(*row) for row in zip(*cols)]


def _results_table(provider: Provider, channel: str, res: list[SendResult]) -> pa.Table:
    return pa.table({
        "attempt_id": [r.attempt_id for r in res], "channel": [channel] * len(res),
        "outcome": [r.outcome for r in res], "provider": [provider.name] * len(res),
        "provider_message_id": [r.provider_message_id for r in res], "error": [r.error for r in res],
        "tries": [r.tries for r in res],
    }, schema=RESULTS_SCHEMA)


def _persist(con: duckdb.DuckDBPyConnection, provider: AnyProvider, rows: pa.Table, results: pa.Table,
             messages: list[SendResult] | None, now: datetime) -> None:
    """What the provider keeps itself, inside the write-back transaction (the outbox's messages,
    Twilio's opt-outs)."""
    if isinstance(provider, TableProvider):
        provider.persist_table(con, rows, results, now)
    else:
        provider.persist(con, _messages(rows), messages or [], now)


def _count(results: pa.Table, report: DispatchReport, problems: Counter[tuple[str, str, str]]) -> None:
    """The batch's results into the pass report, counted by (channel, outcome, error) in Arrow."""
    error = pc.fill_null(results["error"], "")
    keyed = pa.table({"channel": results["channel"], "outcome": results["outcome"],
                      "error": pc.utf8_slice_codeunits(error, 0, 160)})
    for row in keyed.group_by(["channel", "outcome", "error"]).aggregate([([], "count_all")]).to_pylist():
        ch, outcome, err, n = row["channel"], row["outcome"], row["error"], row["count_all"]
        if outcome in ("sent", "unknown"):
            report.sent[ch] += n
            if outcome == "unknown":
                report.unknown[ch] += n
                problems[(ch, outcome, err)] += n
        elif outcome == "failed":
            report.failed[ch] += n
            report.failure_reasons[err[:80] or "unknown"] += n
        else:
            report.retry_later[ch] += n
            if not err.startswith("halted: "):  # those are said once, by DeliveryHalted
                problems[(ch, outcome, err)] += n


def _claim(con: duckdb.DuckDBPyConnection, now: datetime, groups: dict[str, pa.Table],
           providers: dict[str, AnyProvider]) -> tuple[str, set[str]]:
    """Mark the batch's contacts for remote providers in flight, committed before any request
    leaves (sql/delivery/claim_batch.sql); returns the claim id the write-back matches and the ids
    it claimed (only those are sent). Providers that persist locally in the write-back transaction
    (the outbox) or whose gateway deduplicates by idempotency key (the JSON webhook) need no claim."""
    claim = uuid.uuid4().hex
    parts = [pa.table({"attempt_id": tbl["attempt_id"],
                       "provider": pa.array([providers[ch].name] * tbl.num_rows, pa.string()),
                       "account": pa.array([getattr(providers[ch], "account_id", None)] * tbl.num_rows, pa.string())},
                      schema=_CLAIM_SCHEMA)
             for ch, tbl in groups.items() if getattr(providers[ch], "claims", False)]
    claimed: set[str] = set()
    if parts:
        with db.transaction(con), db.registered(con, pa.concat_tables(parts), "_claim"):
            claimed = {r[0] for r in db.run(con, "delivery/claim_batch", {
                "now": now, "claim": claim, "wall": datetime.now(UTC)}).fetchall()}
    return claim, claimed


async def _send_groups(groups: dict[str, tuple[AnyProvider, pa.Table]]
                       ) -> dict[str, tuple[pa.Table, list[SendResult] | None]]:
    """Every channel's provider at once; a provider that blows up leaves its messages for retry.
    Per channel: the results as a table, and the SendResults a per-message provider returned."""
    async def one(channel: str, provider: AnyProvider, rows: pa.Table) -> tuple[pa.Table, list[SendResult] | None]:
        # A remote provider that blows up mid-batch may have sent some: those are unknown, settled by
        # reconciliation; a local one (the outbox) sent nothing, so its batch is simply retried.
        outcome: Outcome = "unknown" if getattr(provider, "claims", False) else "retry"
        try:
            if isinstance(provider, TableProvider):
                return provider.send_table(rows), None
            msgs = _messages(rows)
            res = await provider.send(msgs)
        except Exception as exc:  # a bug or outage must not lose the batch
            log.exception("provider %s failed on a batch of %d", provider.name, rows.num_rows)
            return _results_for(rows, outcome, provider.name, f"provider error: {type(exc).__name__}", 0), None
        got = {r.attempt_id for r in res}
        missing = [SendResult(m.attempt_id, outcome, error="provider returned no result", tries=0)
                   for m in msgs if m.attempt_id not in got]
        res = list(res) + missing
        return _results_table(provider, channel, res), res

    channels = list(groups)
    outs = await asyncio.gather(*(one(ch, *groups[ch]) for ch in channels))
    return dict(zip(channels, outs))
