"""The signed webhook to the core banking system: exactly once through faults, never re-sent on a guess.

The fake core banking server stores every POST it accepts (no deduplication, like Twilio and
SendGrid), so any second send of a record shows up as a duplicate there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest

from loan_comms.arrangements import export as export_mod
from loan_comms.arrangements import export_http as wire
from loan_comms.arrangements.export import ExportResolveError, export_arrangements, resolve_export
from loan_comms.arrangements.fake_core import FakeCore
from loan_comms.delivery.providers.secrets import MissingSecret
from tests.arrangements.export_helpers import SECRET, T0, add, add_many, row, statuses, with_export


@pytest.fixture
def core():
    c = FakeCore(secret=SECRET).start()
    yield c
    c.stop()


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv(wire.SECRET_ENV, SECRET)


def hook_cfg(cfg, tmp_path, core, *, lookup=True, **kw):
    return with_export(cfg, dir=str(tmp_path / "out"), url=core.url, lookup_url=core.lookup_url if lookup else None,
                       timeout_seconds=kw.pop("timeout_seconds", 0.5), reconcile_after_seconds=60, **kw)


def run(con, cfg, at=T0):
    return export_arrangements(con, cfg, db_path=None, now=at)


def test_delivered_once_signed_with_the_stored_bytes(con, cfg, tmp_path, core, secret_env):
    export_id = add(con, "A0001")
    report = run(con, hook_cfg(cfg, tmp_path, core))
    assert (report.sent, report.delivered) == (1, 1) and not report.needs_operator
    r = row(con, export_id)
    assert (r["status"], r["tries"], r["delivered_at"], r["error"]) == ("delivered", 1, T0, None)

    got = core.state.received[0]
    assert got["export_id"] == export_id and got["body"] == r["payload"].encode()

    # The receiver's check, written here from the spec alone: HMAC-SHA256(secret, "<t>.<body>").
    seen = []
    real_post = wire.httpx.Client.post

    def spy(self, url, **kw):
        seen.append(kw)
        return real_post(self, url, **kw)

    add(con, "A0002")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wire.httpx.Client, "post", spy)
        run(con, hook_cfg(cfg, tmp_path, core))
    headers, body = seen[0]["headers"], seen[0]["content"]
    assert headers["Content-Type"] == "application/json" and headers["Idempotency-Key"] == "A0002:accepted"
    t, v1 = (part.split("=", 1)[1] for part in headers["X-LoanComms-Signature"].split(","))
    assert v1 == hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert json.loads(body)["arrangement_id"] == "A0002"
    assert core.stats()["bad_signatures"] == 0 and core.stats()["duplicates"] == 0
    # Nothing re-sent by a later pass.
    run(con, hook_cfg(cfg, tmp_path, core), T0 + timedelta(hours=2))
    assert core.stats()["received"] == 2


def test_a_url_without_a_secret_is_one_line_before_anything_is_written(con, cfg, tmp_path, core):
    add(con, "A0001")
    with pytest.raises(MissingSecret) as err:
        run(con, hook_cfg(cfg, tmp_path, core))
    assert "\n" not in str(err.value) and wire.SECRET_ENV in str(err.value)
    assert row(con, "A0001:accepted")["file_day"] is None and not (tmp_path / "out").exists()


def test_the_environment_url_wins_and_a_bad_lookup_url_is_refused(con, cfg, tmp_path, core, secret_env, monkeypatch):
    add(con, "A0001")
    monkeypatch.setenv(wire.URL_ENV, core.url)
    run(con, with_export(cfg, dir=str(tmp_path / "out"), url="http://127.0.0.1:9/nowhere"))
    assert core.stats()["received"] == 1
    with pytest.raises(wire.ExportConfigError, match="lookup_url: must contain"):
        run(con, with_export(cfg, url=core.url, lookup_url=core.url))


def test_4xx_is_failed_loud_and_never_retried(con, cfg, tmp_path, core, secret_env):
    add_many(con, 2)
    core.inject("400")
    report = run(con, hook_cfg(cfg, tmp_path, core))
    assert report.failed == 1 and report.delivered == 1
    r = row(con, "A0000:accepted")
    assert r["status"] == "failed" and r["error"].startswith("refused: 400")
    assert report.needs_operator and "A0000:accepted (failed)" in report.alert("t").text
    run(con, hook_cfg(cfg, tmp_path, core), T0 + timedelta(hours=1))
    assert core.stats()["requests"] == 2


def test_a_wrong_secret_fails_the_record_and_stops_the_pass(con, cfg, tmp_path, core, monkeypatch):
    monkeypatch.setenv(wire.SECRET_ENV, "not-the-secret")
    add_many(con, 3)
    report = run(con, hook_cfg(cfg, tmp_path, core))
    assert (report.sent, report.failed) == (1, 1) and "refused us (401)" in (report.halted or "")
    assert sorted(statuses(con).values()) == ["failed", "pending", "pending"]
    assert core.stats()["bad_signatures"] == 1 and core.stats()["received"] == 0


def test_certainly_not_arrived_goes_back_to_pending(con, cfg, tmp_path, core, secret_env):
    add_many(con, 2)
    core.inject("429")
    report = run(con, hook_cfg(cfg, tmp_path, core))
    assert report.not_sent == 1 and "429" in (report.halted or "") and report.sent == 1
    assert statuses(con) == {"A0000:accepted": "pending", "A0001:accepted": "pending"}
    report = run(con, hook_cfg(cfg, tmp_path, core), T0 + timedelta(minutes=1))
    assert report.delivered == 2 and core.stats()["duplicates"] == 0


def test_connection_refused_is_pending_and_an_outage_stops_the_pass(con, cfg, tmp_path, secret_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # nothing listens here once closed
    add_many(con, 5)
    down = with_export(cfg, dir=str(tmp_path / "out"), url=f"http://127.0.0.1:{port}/a", timeout_seconds=0.5)
    report = run(con, down)
    assert (report.sent, report.not_sent) == (export_mod.DOWN_AFTER, export_mod.DOWN_AFTER)
    assert "unreachable" in (report.halted or "") and set(statuses(con).values()) == {"pending"}
    assert row(con, "A0000:accepted")["tries"] == 1


@pytest.mark.parametrize("fault", ["lost", "502", "slow"])
def test_an_unknown_without_lookup_url_is_never_sent_again(con, cfg, tmp_path, core, secret_env, fault):
    export_id = add(con, "A0001")
    c = hook_cfg(cfg, tmp_path, core, lookup=False, timeout_seconds=0.3)
    core.inject(fault, slow_seconds=0.8)
    first = run(con, c)
    assert first.unknown == 1 and row(con, export_id)["status"] == "unknown"
    assert not first.needs_operator                          # not yet past reconcile_after_seconds
    for hours in (1, 5, 48):
        later = run(con, c, T0 + timedelta(hours=hours))
        assert later.sent == 0 and later.needs_operator
    assert core.stats()["received"] == 1 and core.stats()["requests"] == 1
    assert "A0001:accepted (unknown)" in later.alert("t").text

    # The operator checked the core banking system: it has it.
    assert resolve_export(con, export_id, "delivered", now=T0 + timedelta(days=2)) == \
        "export record A0001:accepted: unknown -> delivered"
    assert not run(con, c, T0 + timedelta(days=2)).needs_operator
    with pytest.raises(ExportResolveError, match="is delivered"):
        resolve_export(con, export_id, "resend", now=T0)
    with pytest.raises(ExportResolveError, match="no export record"):
        resolve_export(con, "nope:accepted", "resend", now=T0)


def test_an_unknown_is_looked_up_after_its_wait_and_found(con, cfg, tmp_path, core, secret_env):
    export_id = add(con, "A0001")
    c = hook_cfg(cfg, tmp_path, core)
    core.inject("502")
    assert run(con, c).unknown == 1
    early = run(con, c, T0 + timedelta(seconds=30))          # too soon to ask: left alone
    assert (early.sent, early.found, core.stats()["lookups"]) == (0, 0, 0)
    core.inject("lookup_502")                                # a lookup that says nothing: still unknown
    assert run(con, c, T0 + timedelta(seconds=61)).found == 0 and row(con, export_id)["status"] == "unknown"
    found = run(con, c, T0 + timedelta(seconds=62))
    assert (found.found, found.sent) == (1, 0) and row(con, export_id)["status"] == "delivered"
    assert core.stats()["received"] == 1


def test_a_crash_between_claim_and_send_is_reconciled(con, cfg, tmp_path, core, secret_env, monkeypatch):
    add_many(con, 2)
    c = hook_cfg(cfg, tmp_path, core)

    class Crash(BaseException):
        pass

    def crash_before(*a, **kw):
        raise Crash

    real = wire.post

    def crash_after(*a, **kw):
        real(*a, **kw)        # the request left and arrived; the process dies before writing it down
        raise Crash

    monkeypatch.setattr(wire, "post", crash_before)
    with pytest.raises(Crash):
        run(con, c)
    assert statuses(con) == {"A0000:accepted": "sending", "A0001:accepted": "pending"}
    monkeypatch.setattr(wire, "post", crash_after)
    with pytest.raises(Crash):                               # the next pass first makes A0000's claim unknown
        run(con, c)
    assert statuses(con) == {"A0000:accepted": "unknown", "A0001:accepted": "sending"}
    assert row(con, "A0000:accepted")["tries"] == 1           # a crashed claim is never sent again blindly
    monkeypatch.setattr(wire, "post", real)

    soon = run(con, c, T0 + timedelta(seconds=10))           # the claim becomes unknown; not sent, not asked yet
    assert (soon.crashed, soon.sent) == (1, 0) and set(statuses(con).values()) == {"unknown"}
    settled = run(con, c, T0 + timedelta(seconds=61))        # A0000 absent: sent once; A0001 found
    assert (settled.absent, settled.found, settled.delivered) == (1, 1, 1)
    assert set(statuses(con).values()) == {"delivered"}
    st = core.stats()
    assert (st["received"], st["distinct"], st["duplicates"]) == (2, 2, 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exactly_once_through_a_mix_of_faults(con, cfg, tmp_path, core, secret_env, seed):
    """Half the POSTs meet a fault of every kind; after enough passes each record is at the core
    banking system exactly once: 0 duplicates, 0 lost."""
    ids = add_many(con, 10)
    c = hook_cfg(cfg, tmp_path, core, timeout_seconds=0.25)
    core.inject(rate=0.5, seed=seed, kinds=["lost", "502", "slow", "refuse", "429"], slow_seconds=0.5)
    at = T0
    for _ in range(60):
        run(con, c, at)
        if set(statuses(con).values()) == {"delivered"}:
            break
        at += timedelta(seconds=61)
    assert set(statuses(con).values()) == {"delivered"}
    st = core.stats()
    assert st["duplicates"] == 0 and st["distinct"] == len(ids) and st["received"] == len(ids)
    assert sum(st["faults_injected"].values()) > 0


def test_lookups_are_answered_by_the_fake(core, secret_env):
    import httpx

    with httpx.Client() as http:
        assert http.get(core.lookup_url.replace("{export_id}", "X:accepted")).status_code == 404
        body = b'{"arrangement_id":"X"}'
        hook = wire.Webhook(core.url, core.lookup_url, wire.SecretValue(SECRET, "s"), 1.0, 60)
        assert wire.post(http, hook, "X:accepted", body).verdict == "delivered"
        assert wire.lookup(http, hook, "X:accepted").verdict == "delivered"
        assert http.post(core.url, content=body, headers={"X-LoanComms-Signature": "t=1,v1=00"}).status_code == 401
