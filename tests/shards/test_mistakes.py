"""A user's mistakes with a sharded book end in one line, before Prefect or Dask start (finding 8),
and the sharded dispatch's share of the provider (finding 9)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loan_comms import db
from loan_comms.cli.root import app
from loan_comms.config import load_config
from loan_comms.shards import ShardError, read_manifest, split_book
from tests.shards.books import DAY_BEFORE, START, binding_config, make_book


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("mistakes")
    make_book(folder / "book.duckdb", 300)
    split_book(folder / "book.duckdb", 2, folder / "shards")
    return folder / "shards", binding_config(folder / "config")


def _one_line(result: object) -> str:
    out = result.output.strip()  # type: ignore[attr-defined]
    assert result.exit_code != 0 and "Traceback" not in out and len(out.splitlines()) == 1, out  # type: ignore[attr-defined]
    return out


def test_an_old_day_and_an_environment_rate_are_refused_before_the_run_starts(
        sharded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    shards, config = sharded
    manifest = read_manifest(shards)
    con = db.connect(manifest.path(0))
    try:   # a later day was planned in one shard
        con.execute("INSERT INTO day_runs (as_of, plan_started_at, planned_at) VALUES "
                    "(?, TIMESTAMPTZ '2026-11-12 00:00:00+00', TIMESTAMPTZ '2026-11-12 00:01:00+00')", [START])
    finally:
        con.close()
    runner = CliRunner()
    old = runner.invoke(app, ["shards", "plan-day", "--dir", str(shards), "--as-of", str(DAY_BEFORE),
                              "--config", str(config)])
    assert "never planned in any shard" in _one_line(old)
    monkeypatch.setenv("LOAN_COMMS_SMS_SETTINGS", json.dumps({"rate_per_second": 5}))
    rate = runner.invoke(app, ["shards", "dispatch-day", "--dir", str(shards), "--as-of", str(START),
                               "--config", str(config)])
    assert "sets rate_per_second" in _one_line(rate)


def test_a_broken_manifest_is_one_line(sharded: tuple[Path, Path], tmp_path: Path) -> None:
    shards, _ = sharded
    for name in ("shard-0.duckdb", "shard-1.duckdb"):
        (tmp_path / name).symlink_to(shards / name)
    (tmp_path / "manifest.json").write_text("{ not json")
    with pytest.raises(ShardError, match="not a readable manifest"):
        read_manifest(tmp_path)
    data = json.loads((shards / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({k: v for k, v in data.items() if k != "files"}))
    with pytest.raises(ShardError, match="not a readable manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({**data, "key_version": 99}))
    with pytest.raises(ShardError, match="shard key version 99"):
        read_manifest(tmp_path)
    out = CliRunner().invoke(app, ["shards", "audit", "--dir", str(tmp_path)])
    assert "shard key version 99" in _one_line(out)


def test_each_shard_sends_at_its_share_and_takes_its_turn(tmp_path: Path) -> None:
    """Finding 9: shard i of K sends at rate/K, its first send i/rate into the pass, with 1/K of the
    connections (at least 1)."""
    from loan_comms.delivery.providers.base import effective_provider_config
    from loan_comms.delivery.providers.http import RateLimiter
    from loan_comms.shards.dispatch import shard_config

    from loan_comms.config import ProviderConfig

    cfg = load_config(binding_config(tmp_path))
    cfg = cfg.model_copy(update={"providers": {**cfg.providers, "sms": ProviderConfig.model_validate(
        {"kind": "twilio", "rate_per_second": 10, "max_in_flight": 6})}})
    sms = effective_provider_config("sms", shard_config(cfg, 4, 2))
    assert (sms.rate_per_second, sms.rate_offset_seconds, sms.max_in_flight, sms.per_client) == (2.5, 0.2, 1, 2)

    async def first_take(offset: float) -> float:
        limiter = RateLimiter(2.5, offset)
        t = time.monotonic()
        await limiter.take()
        return time.monotonic() - t

    assert asyncio.run(first_take(0.0)) < 0.05
    assert 0.15 < asyncio.run(first_take(0.2)) < 0.5
