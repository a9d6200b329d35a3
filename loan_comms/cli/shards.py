"""`loan-comms shards ...`: a book in K shard files, planned in parallel on Dask (docs/scaling.md).

  split       compute the shard key on a book and write K shard files and their manifest;
  plan-day    plan one day over every shard (the sharded-plan flow: decide per shard, assign the
              human work over all of them, plan per shard), on a LocalCluster of --workers processes
              or the Dask scheduler at --dask;
  dispatch-day  send a planned day, every shard its own outbox, each at 1/K of the provider's rate;
  audit       the compliance audit over every shard read as one book.
Counts only, never personal data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, CountOpt, DayOpt, NowOpt, parse_now, preflight
from loan_comms.cli.errors import ReportingGroup

app = typer.Typer(help="A book in K shards: split it, plan and dispatch a day on Dask, audit the union.",
                  no_args_is_help=True, cls=ReportingGroup)

DirOpt = typer.Option(..., "--dir", help="The sharded book's folder (its manifest.json, made by `shards split`).")
WorkersOpt = CountOpt(2, "--workers", help="Dask worker processes of the local cluster (ignored with --dask).")
DaskOpt = typer.Option(None, "--dask", help="Address of a running Dask scheduler (tcp://host:8786) instead of a "
                       "local cluster; every worker must see the shard files at the same path.")


@app.command("split")
def split_cmd(db: Path = typer.Option(..., "--db", help="The loan book to split (its borrower_shards is written)."),
              k: int = typer.Option(..., "--k", min=1, help="How many shards."),
              out: Path = typer.Option(..., "--out", help="A new (or empty) folder for the shard files.")) -> None:
    """Compute the shard key (contact-point clusters) and write K shard files with a manifest."""
    from loan_comms.shards import split_book

    manifest, key = split_book(db, k, out)
    typer.echo(f"{db} -> {manifest.shards} shards in {out}: {key.borrowers:,} borrowers, {key.linked:,} sharing a "
               f"contact point in {key.clusters:,} clusters (largest {key.largest}), key version {manifest.key_version}")
    for i in range(manifest.shards):
        typer.echo(f"  {manifest.files[i]}: {manifest.rows['borrowers'][i]:,} borrowers, "
                   f"{manifest.rows['loans'][i]:,} loans")


def _absolute(directory: Path, config: Optional[Path]) -> tuple[str, Optional[str]]:
    """--dir and --config as absolute paths: a Dask worker (--dask) resolves a relative path against
    its own working directory, not this command's."""
    return str(directory.absolute()), str(config.absolute()) if config else None


@app.command("plan-day")
def plan_day_cmd(directory: Path = DirOpt, as_of: date = DayOpt(..., "--as-of", help="The day to plan; re-running is safe."),
                 config: Optional[Path] = ConfigOpt, workers: int = WorkersOpt, dask: Optional[str] = DaskOpt) -> None:
    """Plan one day over every shard in parallel (decide, assign the human work once, plan and record)."""
    preflight(config, simulated_clock=False)
    from loan_comms.ops import prefect_env
    from loan_comms.shards import read_manifest
    from loan_comms.shards.run import book_day

    # a missing or broken sharded book, or a day behind the newest, is one line before Prefect starts
    book_day(read_manifest(directory), as_of)
    prefect_env.configure()
    from flows.sharded_plan import plan_sharded_day

    folder, config_path = _absolute(directory, config)
    result = plan_sharded_day(folder, as_of, n_workers=workers, dask_address=dask, config_path=config_path)
    if result["already_planned"]:
        typer.echo(f"{as_of}: already planned in every shard, nothing new: re-running a planned day records nothing")
        return
    typer.echo(f"{as_of}: {result['shards']} shards, {result['candidates']:,} candidates, {result['planned']:,} planned, "
               f"{result['suppressed']:,} suppressed; calls {result['calls']:,} ({result['calls_assigned']:,} assigned, "
               f"carried {result['calls_carried'] or 'none'}), visits {result['visits']:,} "
               f"({result['visits_assigned']:,} assigned)")


@app.command("dispatch-day")
def dispatch_day_cmd(directory: Path = DirOpt, as_of: date = DayOpt(..., "--as-of", help="The planned day to send."),
                     config: Optional[Path] = ConfigOpt, workers: int = WorkersOpt,
                     dask: Optional[str] = DaskOpt) -> None:
    """Send a planned day on a simulated clock: every shard's outbox in parallel, each at 1/K of the rate."""
    cfg = preflight(config)
    from loan_comms.ops import prefect_env
    from loan_comms.shards import read_manifest
    from loan_comms.shards.dispatch import shard_config

    # a rate set in the environment (each shard would send at it whole) is one line before Prefect starts
    shard_config(cfg, read_manifest(directory).shards)
    prefect_env.configure()
    from flows.sharded_plan import dispatch_sharded_day

    folder, config_path = _absolute(directory, config)
    result = dispatch_sharded_day(folder, as_of, n_workers=workers, dask_address=dask, config_path=config_path)
    typer.echo(f"{as_of}: {result['shards']} shards, sent {result['sent'] or 'nothing'}, {result['failed']} failed, "
               f"{result['window_missed']} window missed")


@app.command("audit")
def audit_cmd(directory: Path = DirOpt, config: Optional[Path] = ConfigOpt,
              show: int = typer.Option(5, "--show", min=0, help="Violating rows to show per broken rule."),
              now: Optional[str] = NowOpt("Judge 'nothing lost' as of this UTC instant (default: the last moment "
                                          "the system acted on the log)."),
              require_checked: bool = typer.Option(False, "--require-checked",
                                                   help="Also fail when a rule found no contact to check.")) -> None:
    """Check every contact policy rule over the whole contact log of every shard, read as one book."""
    from loan_comms.audit.runner import run_audit
    from loan_comms.cli.audit import print_report
    from loan_comms.cli.common import load_cfg
    from loan_comms.shards import union

    cfg = load_cfg(config)
    at = parse_now(now, default_now=False)
    with union(directory) as con:
        report = run_audit(con, cfg, now=at, show=show)
    print_report(report, f"{directory} (every shard)", require_checked=require_checked)

