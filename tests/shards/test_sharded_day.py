"""A sharded day records exactly what the single book records (issue 17, "Scale out").

One synthetic book (with shared phones and e-mails beyond the generator's families, and STOPs from
shared numbers) and a roster whose capacity binds (calls carried, agent_capacity). The day before
and the day on are planned and dispatched (i) on one file and (ii) on K = 4 shards through the real
flows on Prefect's DaskTaskRunner (the day on planned on a LocalCluster of 2 worker processes; the
day before, the dispatches and the re-run on 2 worker threads, to keep the test short); then every recorded row
of the two days (decisions, contacts, their wording, the outbox, call and visit assignments, the
agents' shifts, events, episodes, installments, survey invitations, plan offers) is compared,
every column but record timestamps and generated ids: EXACTLY equal. The audit over the union of
the shards passes, and re-running the sharded day adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import load_config
from loan_comms.shards import open_union
from tests.shards.books import DAY_BEFORE, START, binding_config, run_single, single_and_sharded

pytestmark = pytest.mark.slow

LOANS = 3000
DAYS = (DAY_BEFORE, START)

# What "the same contacts" means: every table a day writes, every column but the wall-clock instants a
# row was written (created_at, updated_at, recorded_at) and generated ids (event_id: each shard has its
# own sequence). Send times, provider ids and the outbox are on the simulated clock: compared too.
SAME = {
    "contact_attempts": "SELECT * EXCLUDE (created_at, updated_at) FROM {s}contact_attempts",
    "contact_messages": "SELECT * FROM {s}contact_messages",
    "outbox_messages": "SELECT * FROM {s}outbox_messages",
    "call_assignments": "SELECT * EXCLUDE (recorded_at) FROM {s}call_assignments",
    "visit_assignments": "SELECT * EXCLUDE (recorded_at) FROM {s}visit_assignments",
    "agent_days": "SELECT * EXCLUDE (recorded_at) FROM {s}agent_days",
    "borrower_events": "SELECT * EXCLUDE (event_id, recorded_at) FROM {s}borrower_events",
    "delinquency_episodes": "SELECT * FROM {s}delinquency_episodes",
    "installments": "SELECT * FROM {s}installments",
    "payment_feed": "SELECT * FROM {s}payment_feed",
    "survey_invitations": "SELECT * FROM {s}survey_invitations",
    "arrangement_offers": "SELECT * FROM {s}arrangement_offers",
    "arrangement_offer_options": "SELECT * FROM {s}arrangement_offer_options",
    "arrangement_offer_loans": "SELECT * FROM {s}arrangement_offer_loans",
    "handoffs": "SELECT * EXCLUDE (recorded_at) FROM {s}handoffs",
    # the registry of template versions (issue 18): each shard's own, read as one by the union
    "template_versions": "SELECT * EXCLUDE (registered_at) FROM {s}template_versions",
}


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> dict[str, Path]:
    """The same book run both ways over both days: the single file and the sharded folder."""
    from flows.sharded_plan import dispatch_sharded_day, plan_sharded_day

    folder = tmp_path_factory.mktemp("sharded")
    config_path = binding_config(folder / "config")
    single, _ = single_and_sharded(folder, LOANS, 4)
    run_single(single, config_path, DAYS, dispatch=True)
    results = {}
    for day in DAYS:   # the day on in 2 worker processes (tasks pickled, shards opened by spawned workers)
        results[day] = plan_sharded_day(str(folder / "shards"), day, n_workers=2, processes=day == START,
                                        config_path=str(config_path))
        dispatch_sharded_day(str(folder / "shards"), day, n_workers=2, processes=False, config_path=str(config_path))
    return {"single": single, "shards": folder / "shards", "config": config_path, "results": results}  # type: ignore[dict-item]


def test_sharded_days_record_exactly_the_single_run(runs: dict) -> None:
    union = open_union(runs["shards"])
    try:
        union.execute(f"ATTACH '{runs['single']}' AS single (READ_ONLY)")
        seen = {}
        for table, query in SAME.items():
            one, many = query.format(s="single.main."), query.format(s="")
            (n,) = union.execute(f"SELECT count(*) FROM ({one})").fetchone()
            (only_single,) = union.execute(f"SELECT count(*) FROM (({one}) EXCEPT ALL ({many}))").fetchone()
            (only_shards,) = union.execute(f"SELECT count(*) FROM (({many}) EXCEPT ALL ({one}))").fetchone()
            assert (only_single, only_shards) == (0, 0), f"{table}: {only_single} rows only in the single run, " \
                                                         f"{only_shards} only in the shards (of {n})"
            seen[table] = n
        # the day had something to agree on: contacts sent, calls assigned AND carried for capacity
        stats = dict(union.execute("""
            SELECT 'carried', count(*) FROM call_assignments WHERE reason = 'agent_capacity'
            UNION ALL SELECT 'assigned', count(*) FROM call_assignments WHERE outcome = 'assigned'
            UNION ALL SELECT 'sent', count(*) FROM contact_attempts WHERE sent_at IS NOT NULL
            UNION ALL SELECT 'cap_point', count(*) FROM contact_attempts WHERE suppressed_reason LIKE 'cap_%'
            UNION ALL SELECT 'opted_out', count(*) FROM contact_attempts WHERE suppressed_reason LIKE 'opted_out%'
            UNION ALL SELECT 'visits', count(*) FROM visit_assignments""").fetchall())
    finally:
        union.close()
    assert stats["carried"] > 0 and stats["assigned"] > 0, stats
    assert stats["sent"] > 1000 and stats["visits"] > 0, stats
    assert seen["contact_attempts"] > 1500 and seen["outbox_messages"] > 1000, seen
    for day in DAYS:
        assert runs["results"][day]["calls_carried"], runs["results"][day]


def test_audit_over_the_union_of_shards_passes(runs: dict) -> None:
    cfg = load_config(runs["config"])
    union = open_union(runs["shards"])
    try:
        report = run_audit(union, cfg)
    finally:
        union.close()
    assert report.ok, str(report)
    assert report.rule("agent_capacity").checked > 0 and report.rule("sms_per_day").checked > 0
    assert report.rule("template_versions_approved").checked > 0


def test_rerunning_the_sharded_day_adds_nothing(runs: dict) -> None:
    from flows.sharded_plan import dispatch_sharded_day, plan_sharded_day

    def counts() -> dict[str, int]:
        union = open_union(runs["shards"])
        try:
            return {t: union.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SAME}
        finally:
            union.close()

    before = counts()
    again = plan_sharded_day(str(runs["shards"]), START, n_workers=2, processes=False, config_path=str(runs["config"]))
    sent = dispatch_sharded_day(str(runs["shards"]), START, n_workers=2, processes=False,
                                config_path=str(runs["config"]))
    assert again["already_planned"] and again["planned"] == 0
    assert sent["sent"] == {}
    assert counts() == before





def test_a_shard_failing_in_phase_3_is_finished_in_every_shard_before_the_next_day(
        tmp_path: Path, prefect_server: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shard 1 fails in phase 3 of the day before (after its siblings recorded theirs, or not: they
    are waited for): the day is then planned in three shards and never started in shard 1, whose own
    ledger says nothing. The next day's run finishes the day before in shard 1 first (the book's
    ledger, not the shard's, says it is interrupted), then plans the day on: every shard's ledger
    has both days, and every recorded row equals the single run's (plans only, no dispatch between)."""
    from flows.sharded_plan import plan_sharded_day
    from loan_comms.lifecycle import days
    from loan_comms.shards import read_manifest
    from loan_comms.shards import run as shard_run

    config_path = binding_config(tmp_path / "config")
    single, _ = single_and_sharded(tmp_path, 1500, 4)
    run_single(single, config_path, DAYS, dispatch=False)

    real_plan_shard = shard_run.plan_shard

    def failing(manifest, shard, *args, **kwargs):  # type: ignore[no-untyped-def]
        if shard == 1:
            raise RuntimeError("injected: shard 1 lost its worker in phase 3")
        return real_plan_shard(manifest, shard, *args, **kwargs)

    monkeypatch.setattr(shard_run, "plan_shard", failing)
    with pytest.raises(RuntimeError, match="injected"):
        plan_sharded_day(str(tmp_path / "shards"), DAY_BEFORE, n_workers=2, processes=False,
                         config_path=str(config_path))
    monkeypatch.setattr(shard_run, "plan_shard", real_plan_shard)
    manifest = read_manifest(tmp_path / "shards")

    def planned() -> list[tuple[bool, bool]]:
        out = []
        for path in manifest.paths():
            c = db.connect(path, read_only=True)
            try:
                out.append((days.status(c, DAY_BEFORE).planned, days.status(c, START).planned))
            finally:
                c.close()
        return out

    assert planned() == [(True, False), (False, False), (True, False), (True, False)]
    plan_sharded_day(str(tmp_path / "shards"), START, n_workers=2, processes=False, config_path=str(config_path))
    assert planned() == [(True, True)] * 4

    union = open_union(tmp_path / "shards")
    try:
        union.execute(f"ATTACH '{single}' AS single (READ_ONLY)")
        for table, query in SAME.items():
            one, many = query.format(s="single.main."), query.format(s="")
            (only_single,) = union.execute(f"SELECT count(*) FROM (({one}) EXCEPT ALL ({many}))").fetchone()
            (only_shards,) = union.execute(f"SELECT count(*) FROM (({many}) EXCEPT ALL ({one}))").fetchone()
            assert (only_single, only_shards) == (0, 0), f"{table}: {only_single} only single, {only_shards} only shards"
        (recorded,) = union.execute("SELECT count(*) FROM contact_attempts WHERE planned_for_date = ?",
                                    [DAY_BEFORE]).fetchone()
    finally:
        union.close()
    assert recorded > 0
