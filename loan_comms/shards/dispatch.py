"""Dispatching a sharded day: each shard sends its own outbox, all shards at once.

Every contact belongs to one shard's contact log, and the re-check before send reads the same
borrower and point rows the plan read (the shard key keeps them together), so each shard
dispatches alone (delivery/day_dispatch.dispatch_day on its file, in parallel). What is not per
shard is the provider: its rate limit is one number for the lender's account, so each of K shards
sends at most rate_per_second / K (shard_config). A sender short of its share does not lend it
to the others, and shard i's first send waits i / rate seconds, so the K evenly spaced senders take
turns instead of all sending at the start of a pass: the sum stays under the provider's limit,
which is what the provider enforces (docs/scaling.md). The concurrency (max_in_flight, per_client)
is divided by K too (at least 1), else K shards hold K times the connections the account allows.

One step of the re-check is not per shard: a call whose window narrowed at dispatch moves its slot
inside the same agent's shift clear of the agent's other slots (sql/calls/assign/recheck_slots.sql),
and a shard sees only its own calls' slots. Two shards moving calls of one agent onto the same
minutes in the same pass is possible (both windows narrowed, the same agent, the same free
minutes); the audit's agent rules over the union (`loan-comms shards audit`) would name it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.delivery.providers.base import effective_provider_config
from loan_comms.shards.manifest import Manifest, ShardError

CHANNELS: tuple[str, ...] = ("sms", "email")


@dataclass(frozen=True)
class ShardDispatched:
    """What one shard's dispatch of a day did (counts only)."""

    shard: int
    passes: int = 0
    sent: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    window_missed: int = 0


def shard_config(cfg: LifecycleConfig, shards: int, shard: int = 0) -> LifecycleConfig:
    """`cfg` for shard `shard`'s sender: each channel's rate_per_second divided among `shards` senders,
    its first send i / rate seconds into a pass, max_in_flight and per_client divided (at least 1;
    the transport's defaults when unset; a value set in the environment wins, as it does for one
    book: it is a connection count, not the provider's contract). A rate set through
    LOAN_COMMS_<CHANNEL>_SETTINGS would reach every shard whole (the environment wins over the file
    for each sender), so a sharded dispatch refuses it: set the account's rate in [providers.<channel>]."""
    providers = dict(cfg.providers)
    for channel in CHANNELS:
        extra = os.environ.get(f"LOAN_COMMS_{channel.upper()}_SETTINGS")
        if extra and "rate_per_second" in (json.loads(extra) if extra.strip().startswith("{") else {}):
            raise ShardError(f"LOAN_COMMS_{channel.upper()}_SETTINGS sets rate_per_second: in a sharded dispatch "
                             f"each of the {shards} senders would send at that whole rate; set it in "
                             f"[providers.{channel}] instead (each shard then sends at 1/{shards} of it)")
        effective = effective_provider_config(channel, cfg)
        update: dict[str, float | int] = {}
        rate = getattr(effective, "rate_per_second", None)
        if rate:
            update.update(rate_per_second=float(rate) / shards, rate_offset_seconds=shard / float(rate))
        for name, default in (("max_in_flight", 32), ("per_client", 8)):   # HttpSettings' defaults
            update[name] = max(1, int(getattr(effective, name, None) or default) // shards)
        base = cfg.providers.get(channel) or cfg.provider(channel)
        providers[channel] = base.model_copy(update=update)
    return cfg.model_copy(update={"providers": providers})


def dispatch_shard(manifest: Manifest, shard: int, cfg: LifecycleConfig, as_of: date, *,
                   batch_size: int | None = None) -> ShardDispatched:
    """Every dispatch pass of `as_of` in shard `shard` (simulated clock, delivery/day_dispatch.py),
    at the shard's share of each provider's rate. Replaying a dispatched day sends nothing."""
    from loan_comms.delivery.day_dispatch import dispatch_day

    con = db.connect(manifest.path(shard))
    try:
        reports = dispatch_day(con, shard_config(cfg, manifest.shards, shard), as_of, batch_size=batch_size)
    finally:
        con.close()
    return ShardDispatched(shard, passes=len(reports), sent=sum((Counter(r.sent) for r in reports), Counter()),
                           failed=sum((Counter(r.failed) for r in reports), Counter()),
                           window_missed=sum(r.window_missed for r in reports))
