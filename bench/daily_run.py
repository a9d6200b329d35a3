"""The daily run at scale, against the raw limits of the same work in the same run (issue 17).

    make bench                                              # 100,000 and 1,000,000 loans
    .venv/bin/python bench/daily_run.py --loans 100000 [--loans 1000000 ...] [--results] [--shards K]

For each book size, in this one process:
  1. generate the book (generate_book), timed; export it to a Parquet (or CSV) file and import that
     with the real importer (import_book) into a second database, timed;
  2. plan the day before with the daily-plan flow (warm-up: also starts Prefect's temporary local
     server, as the tests do; not measured); then the real daily run as operators run it: the
     daily-plan flow (flows/daily_plan.py) for the day, then the day's outbox dispatch (the
     dispatch-day task the daily lifecycle uses: every pass of the day on a simulated clock);
  3. the raw limits of the same work on the same data (bench/daily_raw.py): the bare selection of
     the day's contacts, a bare batched Jinja render of the same messages, a bare Arrow insert of
     the same rows;
  4. prints per stage (bench/daily_stages.py splits the run in-process, by SQL file and render
     call) and in total: seconds, rows per second, peak RSS, Prefect task runs and the ratio of
     the real run to the raw limits; then the issue's targets beside this run's figures.
--results appends the run to bench/RESULTS.md ("## Daily run at scale (issue 17)"), with the
date, the machine and the command. Asserts nothing: it measures. A book over 250k loans needs
several GB: on a shared machine run it under `flock /tmp/big.lock`.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(Path(__file__).resolve().parent)]
RESULTS = REPO / "bench" / "RESULTS.md"
HEADING = "## Daily run at scale (issue 17)"
ABOUT = """Each run of `make bench` (`bench/daily_run.py --results`), newest last. The daily-plan flow is split
in-process (bench/daily_stages.py): *state* is sql/lifecycle/state (with the writes of the day's
state when recording) and the plans' and hand-offs' state; *candidates+policy* the candidates, the
gate, the caps and the call and visit assignment; *record* the record_* files and the ledger;
*render* the template store's render calls; *other SQL* the config tables, the render inputs and the
flow's other tasks; *python glue + Prefect* the rest of the flow's wall time. *CPU s* is this
process's CPU time over the phase (all threads): steadier than wall time on a shared machine. The raw
limits are measured on the database the plan left, before the dispatch."""

# The issue's figures when it was filed and its targets (docs: issue 17).
ISSUE = {
    "plan": ("56 s, 7.4 GB, 140x the bare selection", "≤ 6 s and ≤ 2 GB, ≤ 2x the raw limits"),
    "outbox": ("43 s (240k contacts)", "≤ 3 s"),
    "flat": ("1.8x worse from 100k to 1M", "flat within 20 %"),
    "render": ("35-91 µs a contact", "≤ 3 µs a contact"),
    "import": ("46 s, 5.3 GB", "≤ 8 s, ≤ 1.5 GB; 12M rows in bounded memory"),
    "generate": ("57 s, 3.6 GB", "≤ 15 s, ≤ 2 GB"),
}


@dataclass
class SizeRun:
    """Everything measured for one book size."""

    loans: int
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)        # CPU seconds of this process, per phase
    peak_mb: dict[str, float] = field(default_factory=dict)
    start_mb: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    task_runs: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    slowest_sql: list[tuple[str, float]] = field(default_factory=list)
    tasks: list[tuple[str, float]] = field(default_factory=list)   # Prefect task runs: (name, seconds)
    import_interrupted: bool = False                                # past --import-max-gb

    @property
    def plan(self) -> float:
        return self.seconds["plan"]

    @property
    def raw(self) -> float:
        return self.seconds["raw select"] + self.seconds["raw render"] + self.seconds["raw insert"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loans", type=int, action="append", help="book size; repeatable (default 100000 and 1000000)")
    ap.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 12), help="the day measured")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--import-format", choices=("parquet", "csv"), default="parquet")
    ap.add_argument("--no-import", action="store_true", help="skip the export and import step")
    ap.add_argument("--import-max-gb", type=float, default=8.0,
                    help="interrupt the import past this RSS, and say so (default 8: a shared machine survives)")
    ap.add_argument("--batch-size", type=int, default=None, help="the flow's batch_size (default: the config's)")
    ap.add_argument("--shards", type=int, default=None, metavar="K",
                    help="also run the day as K shards (loan_comms.shards), when that is available")
    ap.add_argument("--results", action="store_true", help=f"append the figures to {RESULTS.relative_to(REPO)}")
    ap.add_argument("--workdir", type=Path, default=None, help="where the books go (default: a temporary directory)")
    args = ap.parse_args(argv)
    args.loans = args.loans or [100_000, 1_000_000]
    return args


def prefect_local_mode(home: Path) -> Any:
    """Prefect's temporary local server, as the tests run it (own database under `home`)."""
    os.environ["PREFECT_HOME"] = str(home)
    from loan_comms.ops import prefect_env

    prefect_env.configure()   # quiet console, no telemetry, the server dies with this process
    prefect_env.stop_on_signals()   # a SIGTERM still removes the books and stops the server
    from prefect.testing.utilities import prefect_test_harness

    return prefect_test_harness(server_startup_timeout=120)


def task_runs(*, flow_run_id: Any = None, task_run_id: Any = None) -> list[tuple[str, float]]:
    """(name, seconds) of the task runs the Prefect API knows for a flow run (or of the one
    standalone task run). Task run states reach the server through events: ask again for a few
    seconds until they are in."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    runs: list[Any] = []
    with get_client(sync_client=True) as client:
        for _ in range(20):
            if flow_run_id is not None:
                runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                             sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)
            else:
                runs = client.read_task_runs(task_run_filter=TaskRunFilter(id=TaskRunFilterId(any_=[task_run_id])),
                                             sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)
            if runs and all(r.state is not None and r.state.is_final() for r in runs):
                break
            time.sleep(0.25)
    return [(re.sub(r"-[0-9a-f]{3}$", "", r.name), r.total_run_time.total_seconds()) for r in runs]


def run_size(n: int, args: argparse.Namespace, workdir: Path) -> SizeRun:
    from loan_comms import db as dbm
    from loan_comms.book.importer import import_book
    from loan_comms.book.synthetic import generate_book, write_book_file
    from loan_comms.config import load_config
    from flows.daily_plan import daily_plan
    from tasks.common import template_store
    from tasks.dispatch import dispatch_whole_day

    import daily_raw
    from daily_stages import PLAN_STAGES, Measure, RssSampler, instrumented

    out = SizeRun(loans=n)
    day, before = args.day, args.day - timedelta(days=1)
    d = workdir / f"loans-{n}"
    d.mkdir(parents=True, exist_ok=True)
    book = d / "book.duckdb"
    sampler = RssSampler().start()
    m = Measure(sampler)
    print(f"\n== {n:,} loans, day {day} ==", flush=True)

    # 1. generate, export, import
    con = dbm.connect(book)
    with m.phase("generate"):
        report = generate_book(con, loans=n, seed=args.seed, start=day)
    out.rows.update(generate=report.loans, installments=report.installments)
    print(f"generated: {report}", flush=True)
    if not args.no_import:
        exported = d / f"book.{args.import_format}"
        with m.phase("export"):
            out.rows["export"] = write_book_file(con, exported, as_of=datetime.combine(day, datetime.min.time(), UTC))
        con.close()
        target = dbm.connect(d / "imported.duckdb")
        stopped: list[float] = []

        def stop(rss: float) -> None:
            stopped.append(rss)
            target.interrupt()

        try:
            with m.phase("import"), sampler.limited(args.import_max_gb * 1024, stop):
                imported = import_book(target, exported, now=datetime.combine(day, datetime.min.time(), UTC))
            out.rows["import"] = imported.rows_read
            print(f"imported: {imported}", flush=True)
        except duckdb.InterruptException:
            if not stopped:
                raise
            out.rows["import"] = out.rows["export"]
            out.import_interrupted = True
            out.notes.append(f"import of {out.rows['export']:,} rows interrupted after {m.seconds['import']:.1f} s at "
                             f"{stopped[0] / 1024:.1f} GB RSS (over --import-max-gb {args.import_max_gb:g}): it does not "
                             f"stream in bounded memory")
            print(out.notes[-1], flush=True)
        target.close()
        for leftover in (d / "imported.duckdb", d / "imported.duckdb.wal", exported):
            leftover.unlink(missing_ok=True)
    else:
        con.close()

    # 2. warm-up, then the real daily run
    t = time.perf_counter()
    daily_plan(as_of=before, db_path=str(book), batch_size=args.batch_size)
    print(f"warm-up: daily-plan {before} in {time.perf_counter() - t:.1f} s (not measured)", flush=True)
    shard_copy = None
    if args.shards:
        shard_copy = d / "book-for-shards.duckdb"
        shutil.copyfile(book, shard_copy)

    cfg = load_config()
    with instrumented(m):
        with m.phase("plan"):
            state = daily_plan(as_of=day, db_path=str(book), batch_size=args.batch_size, return_state=True)
        result = state.result()
        out.tasks = task_runs(flow_run_id=state.state_details.flow_run_id)
        out.task_runs["plan"] = len(out.tasks)
        if result.get("already_planned") or not result.get("planned"):
            out.notes.append(f"the flow planned nothing new for {day}: {result}")

        # 3. the raw limits, on the database exactly as the plan left it (before the dispatch moves it)
        con = dbm.connect(book)
        store = template_store(cfg)
        select = daily_raw.prepare_select(con, cfg, day)
        render, check, compile_s = daily_raw.prepare_render(con, store, cfg, day, m.contexts)
        insert, cleanup = daily_raw.prepare_insert(con, day)
        with m.phase("raw select"):
            out.rows["raw select"] = select()
        with m.phase("raw render"):
            out.rows["raw render"] = render()
        with m.phase("raw insert"):
            out.rows["raw insert"] = insert()
        cleanup()
        mismatches = check()
        if mismatches:
            out.notes.append(f"raw render wording differs from the store's in {len(mismatches)} checked rows, "
                             f"e.g. {mismatches[0]}")
        out.seconds["raw compile"] = compile_s
        sampled = sum(len(v) for v in m.contexts.values())
        if not sampled:
            out.notes.append("no render_many call seen: the raw render used the lint sample contexts")
        planned = daily_raw.figures(con, day)
        con.close()

        with m.phase("outbox"):
            sent = dispatch_whole_day(str(book), day, None, False, args.batch_size, return_state=True)
        sent.result()
        dispatched = task_runs(task_run_id=sent.state_details.task_run_id)
        out.task_runs["outbox"] = len(dispatched)
        out.tasks += dispatched
    sampler.stop()

    con = dbm.connect(book, read_only=True)
    after = daily_raw.figures(con, day)
    con.close()
    out.rows.update(contacts=planned["contacts"], planned=planned["planned"], messages=planned["messages"],
                    reminder_ladder=planned["reminder_ladder"], sent=after["sent"], closed=planned["still_planned"] - after["still_planned"])
    for name in ("generate", "export", "import", "plan", "outbox", "raw select", "raw render", "raw insert"):
        if name in m.seconds:
            out.seconds[name] = m.seconds[name]
            out.cpu[name] = m.cpu_seconds[name]
            out.peak_mb[name] = m.peak(name)
            out.start_mb[name] = m.start_rss[name]
    for stage in PLAN_STAGES:
        out.seconds[stage] = m.seconds.get(stage, 0.0)
        out.cpu[stage] = m.cpu_seconds.get(stage, 0.0)
        out.peak_mb[stage] = m.peak(stage)
    out.seconds["glue"] = out.plan - sum(out.seconds[s] for s in PLAN_STAGES)
    out.cpu["glue"] = out.cpu["plan"] - sum(out.cpu[s] for s in PLAN_STAGES)
    out.seconds["outbox SQL"] = sum(v for k, v in m.seconds.items() if k.startswith("outbox:"))
    out.slowest_sql = sorted(m.sql_by_file.items(), key=lambda kv: -kv[1])[:6]
    if out.rows["messages"] and not out.seconds["render"]:
        out.notes.append("no TemplateStore.render* call was timed: rendering counts as glue")
    if shard_copy is not None:
        sharded_run(shard_copy, day, args.shards, out)
        shard_copy.unlink(missing_ok=True)
    book.unlink()
    return out


def sharded_run(book: Path, day: date, shards: int, out: SizeRun) -> None:
    """The same day on the same book (a copy taken before the single run), run as operators run a
    sharded book (docs/scaling.md): split into `shards` files once, then the sharded-plan and
    sharded-dispatch flows on Prefect's DaskTaskRunner over a LocalCluster of 2 worker processes.
    Timed here against the single run; the day's counts (contacts decided, sent) are compared
    (tests/shards compares every recorded row)."""
    import daily_raw
    from flows.sharded_plan import dispatch_sharded_day, plan_sharded_day
    from loan_comms.shards import open_union, split_book

    folder = book.parent / f"shards-{shards}"
    t = time.perf_counter()
    manifest, key = split_book(book, shards, folder)
    split_s = time.perf_counter() - t
    t = time.perf_counter()
    plan_sharded_day(str(folder), day, n_workers=2)
    plan_s = time.perf_counter() - t
    t = time.perf_counter()
    dispatch_sharded_day(str(folder), day, n_workers=2)
    outbox_s = time.perf_counter() - t
    con = open_union(folder, manifest)
    try:
        union_figures = daily_raw.figures(con, day)   # the same counts as the single run's, over every shard
    finally:
        con.close()
    contacts = union_figures["contacts"]
    shutil.rmtree(folder, ignore_errors=True)
    out.seconds[f"sharded x{shards} split"] = split_s
    out.seconds[f"sharded x{shards} plan"] = plan_s
    out.seconds[f"sharded x{shards} outbox"] = outbox_s
    single = out.plan + out.seconds["outbox"]
    same = ("the same as the single run" if (contacts, union_figures["sent"]) == (out.rows.get("contacts"), out.rows.get("sent"))
            else f"NOT the single run's ({out.rows.get('contacts')} contacts, {out.rows.get('sent')} sent)")
    out.notes.append(f"sharded run, {shards} shards on 2 local Dask workers: split {split_s:.1f} s once "
                     f"(largest cluster {key.largest}), then plan {plan_s:.1f} s + outbox {outbox_s:.1f} s "
                     f"= {plan_s + outbox_s:.1f} s against the single run's {single:.1f} s; {contacts:,} contacts, "
                     f"{union_figures['sent']:,} sent: {same}")
    print(out.notes[-1], flush=True)


# -- printing ----------------------------------------------------------------------------------
def _rate(rows: int | None, secs: float) -> str:
    return f"{rows / secs:,.0f}" if rows and secs > 0 else ""


def _x(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b > 0 else ""


def size_table(r: SizeRun) -> str:
    s, rows, pk = r.seconds, r.rows, r.peak_mb
    lines = ["| stage | seconds | CPU s | rows | rows/s | peak RSS MB (at start) | Prefect task runs | raw limit s "
             "| real / raw |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, secs: float, n: int | None = None, what: str = "", peak: float | None = None,
            runs: int | None = None, raw: float | None = None, bold: bool = False, key: str | None = None,
            cpu: float | None = None) -> None:
        label = f"**{name}**" if bold else name
        count = f"{n:,} {what}".strip() if n is not None else ""
        start = r.start_mb.get(key or name)
        memory = f"{peak:,.0f}" + (f" ({start:,.0f})" if start else "") if peak else ""
        cpu = r.cpu.get(key or name, cpu)
        lines.append(f"| {label} | {secs:.2f} | {'' if cpu is None else f'{cpu:.2f}'} | {count} | {_rate(n, secs)} | "
                     f"{memory} | {'' if runs is None else runs} | "
                     f"{'' if raw is None else f'{raw:.3f}'} | {'' if raw is None else _x(secs, raw)} |")

    if "generate" in s:
        row("generate", s["generate"], rows["generate"], "loans", pk["generate"])
    if "import" in s:
        row("export (file for the import)", s["export"], rows["export"], "rows", pk["export"], key="export")
        if r.import_interrupted:
            row(f"import (interrupted; {rows['import']:,} rows in the file)", s["import"], peak=pk["import"], key="import")
        else:
            row("import", s["import"], rows["import"], "rows", pk["import"], key="import")
    sel = s["state"] + s["candidates+policy"]
    row("state", s["state"], r.loans, "loans", pk["state"])
    row("candidates+policy", s["candidates+policy"], rows["contacts"], "contacts", pk["candidates+policy"])
    row("render", s["render"], rows["messages"], "messages", pk["render"], raw=s["raw render"])
    row("record", s["record"], rows["contacts"] + rows["messages"], "rows", pk["record"], raw=s["raw insert"])
    row("other SQL", s["other SQL"], peak=pk["other SQL"])
    row("python glue + Prefect", s["glue"], key="glue")
    row("plan + record (daily-plan flow)", r.plan, r.loans, "loans", pk["plan"], r.task_runs.get("plan"), r.raw, True,
        key="plan")
    row("outbox (dispatch-day task)", s["outbox"], rows["closed"], "contacts", pk["outbox"], r.task_runs.get("outbox"),
        key="outbox")
    total = r.plan + s["outbox"]
    row("daily run (plan + outbox)", total, r.loans, "loans", max(pk["plan"], pk["outbox"]),
        r.task_runs.get("plan", 0) + r.task_runs.get("outbox", 0), r.raw, True, cpu=r.cpu["plan"] + r.cpu["outbox"])
    row("raw select (materialized)", s["raw select"], rows["raw select"], "contacts", pk["raw select"], key="raw select")
    row("raw render (batched Jinja)", s["raw render"], rows["raw render"], "messages", pk["raw render"],
        key="raw render")
    row("raw insert (Arrow)", s["raw insert"], rows["raw insert"], "rows", pk["raw insert"], key="raw insert")
    raw_cpu = sum(r.cpu[k] for k in ("raw select", "raw render", "raw insert"))
    row("raw limits, sum", r.raw, bold=True, cpu=raw_cpu)
    notes = [
        f"- Ratio of the real run to the sum of the raw limits: plan + record **{_x(r.plan, r.raw)}**, "
        f"daily run with the outbox **{_x(total, r.raw)}**; selection (state + candidates+policy, "
        f"{sel:.2f} s) {_x(sel, s['raw select'])} the raw select. In CPU seconds: plan + record "
        f"{_x(r.cpu['plan'], raw_cpu)}, with the outbox {_x(r.cpu['plan'] + r.cpu['outbox'], raw_cpu)}; render "
        f"{_x(r.cpu['render'], r.cpu['raw render'])} the raw render, record {_x(r.cpu['record'], r.cpu['raw insert'])} "
        f"the raw insert.",
        "- The raw select runs after the plan, on the state the plan left (installments and episodes as "
        "recorded), and selects reminders and ladder steps only, without the policy: it is the floor of the "
        "selection alone, not of state + selection + policy.",
        f"- The day: {rows['contacts']:,} contacts decided ({rows['reminder_ladder']:,} reminder or ladder: the raw "
        f"select found {rows['raw select']:,}), {rows['planned']:,} planned, {rows['messages']:,} messages; the outbox "
        f"sent {rows['sent']:,}. Render {_us(s['render'], rows['messages'])} µs a message "
        f"(CPU {_us(r.cpu['render'], rows['messages'])} µs; raw CPU {_us(r.cpu['raw render'], rows['raw render'])} µs) "
        f"({_us(s['render'] + s['glue'], rows['messages'])} µs with the flow's Python glue and Prefect), raw "
        f"{_us(s['raw render'], rows['raw render'])} µs (its templates compiled once before, in {s['raw compile']:.2f} s).",
        f"- Seconds per loan (plan + record): {r.plan / r.loans * 1e6:.1f} µs. Outbox: {s['outbox SQL']:.2f} s in SQL. "
        f"Peak RSS is this process's (the Prefect server is another); at the start of the plan it was "
        f"{r.start_mb['plan']:,.0f} MB.",
        "- Prefect task runs (run time from the API): " + ", ".join(f"{name} {secs:.2f} s" for name, secs in r.tasks)
        + ".",
        "- Slowest SQL: " + ", ".join(f"{name} {secs:.2f} s" for name, secs in r.slowest_sql) + ".",
    ]
    notes += [f"- {n}" for n in r.notes]
    return "\n".join(lines + [""] + notes)


def _us(secs: float, n: int) -> str:
    return f"{secs / n * 1e6:.1f}" if n else "-"


def targets_table(runs: list[SizeRun]) -> str:
    by = {r.loans: r for r in runs}
    big = by.get(1_000_000) or max(runs, key=lambda r: r.loans)
    at = "" if big.loans == 1_000_000 else f" (at {big.loans:,} loans)"
    lines = ["| what | issue (filed) | target | this run | met |", "|---|---|---|---|---|"]

    def met(ok: bool | None) -> str:
        return "" if ok is None else ("yes" if ok else "no")

    plan_gb = big.peak_mb["plan"] / 1024
    exact = big.loans == 1_000_000
    lines.append(f"| daily plan + record, 1M loans | {ISSUE['plan'][0]} | {ISSUE['plan'][1]} | "
                 f"{big.plan:.1f} s, {plan_gb:.1f} GB, {_x(big.plan, big.raw)} raw{at} | "
                 f"{met((big.plan <= 6 and plan_gb <= 2 and big.plan <= 2 * big.raw) if exact else None)} |")
    lines.append(f"| outbox dispatch of that day | {ISSUE['outbox'][0]} | {ISSUE['outbox'][1]} | "
                 f"{big.seconds['outbox']:.1f} s ({big.rows['closed']:,} contacts){at} | "
                 f"{met(big.seconds['outbox'] <= 3 if exact else None)} |")
    if len(runs) > 1:
        small = min(runs, key=lambda r: r.loans)
        per = [(r.loans, r.plan / r.loans) for r in sorted(runs, key=lambda r: r.loans)]
        worse = big.plan / big.loans / (small.plan / small.loans)
        worse_cpu = big.cpu["plan"] / big.loans / (small.cpu["plan"] / small.loans)
        shown = " -> ".join(f"{n // 1000:,}k {s * 1e6:.1f} µs" for n, s in per)
        lines.append(f"| seconds per loan, 100k -> 1M | {ISSUE['flat'][0]} | {ISSUE['flat'][1]} | "
                     f"{shown}: {worse:.2f}x (CPU seconds: {worse_cpu:.2f}x) | {met(worse <= 1.2)} |")
    else:
        lines.append(f"| seconds per loan, 100k -> 1M | {ISSUE['flat'][0]} | {ISSUE['flat'][1]} | one size only | |")
    us = big.seconds["render"] / big.rows["messages"] * 1e6 if big.rows["messages"] else 0.0
    lines.append(f"| render | {ISSUE['render'][0]} | {ISSUE['render'][1]} | {us:.1f} µs a message "
                 f"(raw batched {_us(big.seconds['raw render'], big.rows['raw render'])} µs){at} | "
                 f"{met(us <= 3 if big.rows['messages'] else None)} |")
    imp = [r for r in runs if "import" in r.seconds]
    if imp:
        i = min(imp, key=lambda r: abs(r.rows["import"] - 1_200_000))
        gb = i.peak_mb["import"] / 1024
        close = abs(i.rows["import"] - 1_200_000) <= 200_000
        lines.append(f"| import 1.2M rows | {ISSUE['import'][0]} | {ISSUE['import'][1]} | "
                     f"{_imported(i)} | {met((i.seconds['import'] <= 8 and gb <= 1.5) if close else None)} |")
        for r in imp:
            if r is not i:
                lines.append(f"| import, {r.rows['import']:,} rows | | bounded memory | {_imported(r)} | "
                             f"{met(False) if r.import_interrupted else ''} |")
    gen = by.get(1_000_000)
    g = gen or big
    lines.append(f"| generate 1M loans | {ISSUE['generate'][0]} | {ISSUE['generate'][1]} | "
                 f"{g.seconds['generate']:.1f} s, {g.peak_mb['generate'] / 1024:.1f} GB"
                 f"{'' if gen else f' (at {g.loans:,} loans)'} | "
                 f"{met((g.seconds['generate'] <= 15 and g.peak_mb['generate'] <= 2048) if gen else None)} |")
    return "\n".join(lines)


def _imported(r: SizeRun) -> str:
    if r.import_interrupted:
        return (f"interrupted after {r.seconds['import']:.1f} s at {r.peak_mb['import'] / 1024:.1f} GB "
                f"({r.rows['import']:,} rows in the file)")
    return f"{r.seconds['import']:.1f} s, {r.peak_mb['import'] / 1024:.1f} GB for {r.rows['import']:,} rows"


# -- results -----------------------------------------------------------------------------------
def machine(load_at_start: float) -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    return (f"{os.cpu_count()} CPUs ({model}), {mem_kb / 1024 / 1024:.0f} GiB, Python {platform.python_version()}, "
            f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")


def commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def append_results(text: str) -> None:
    """Add the run at the end of the issue-17 section of RESULTS.md (the section is created once)."""
    body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if HEADING not in body:
        body = body.rstrip("\n") + f"\n\n{HEADING}\n\n{ABOUT}\n"
    start = body.index(HEADING) + len(HEADING)
    nxt = body.find("\n## ", start)
    end = len(body) if nxt < 0 else nxt
    body = body[:end].rstrip("\n") + "\n\n" + text.strip("\n") + "\n" + body[end:]
    RESULTS.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = shlex.join([os.path.relpath(sys.executable, Path.cwd()) if not sys.executable.startswith("/usr")
                          else sys.executable, os.path.relpath(__file__, Path.cwd()), *(argv or sys.argv[1:])])
    began, load = datetime.now(UTC), os.getloadavg()[0]
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="daily-run-", dir=args.workdir) as tmp:
        workdir = Path(tmp)
        runs: list[SizeRun] = []
        with prefect_local_mode(workdir / "prefect-home"):
            for n in args.loans:
                runs.append(run_size(n, args, workdir))
                print("\n" + size_table(runs[-1]), flush=True)
    report = [f"### {began:%Y-%m-%d %H:%M} UTC, commit {commit()}",
              "", f"Machine: {machine(load)}.", f"Command: `{command}`", ""]
    for r in runs:
        report += [f"#### {r.loans:,} loans, day {args.day}", "", size_table(r), ""]
    report += ["#### Targets", "", targets_table(runs), ""]
    text = "\n".join(report)
    print("\n" + text, flush=True)
    if args.results:
        append_results(text)
        print(f"appended to {RESULTS}", flush=True)


if __name__ == "__main__":
    main()
