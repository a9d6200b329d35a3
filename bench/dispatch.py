"""Dispatch throughput against the local fake gateway (Twilio shape), all figures from one run.

    .venv/bin/python bench/dispatch.py [--n 50000] [--in-flight 32] [--per-client 8] [--rounds 2]

Prints, with the gateway in its own process:
  1. ceiling    the gateway's capacity, measured with a minimal asyncio keep-alive client;
  2. bare loops the same requests from a bare httpx loop (the client dispatch used before issue 17)
                and a bare aiohttp loop (the client it uses now), at the same concurrency and client
                split (URL parsed and auth header built once, as the provider does);
  3. dispatch   the real path: dispatch_due over n planned SMS (re-check, claims, batches, write-back);
                2 and 3 alternate for --rounds rounds (medians), so a busy machine hits all alike;
                the ceiling is measured again after the rounds, and the ratios use its median;
  4. exactly once under faults: 20% of requests fail in every way the honest gateway knows (500, 503,
     429, reset, an answer lost or late after it accepted, a proxy 502 after it accepted); the gateway
     does not deduplicate (real providers do not), so unknown sends are reconciled with its Message
     list on the following passes. Counted by the gateway: duplicates and lost contacts must be 0;
  5. for reference, the webhook provider in batch mode (100 messages per request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import httpx  # noqa: E402

from loan_comms import db  # noqa: E402
from loan_comms.config import ProviderConfig, load_config  # noqa: E402
from loan_comms.delivery.dispatch import dispatch_due  # noqa: E402

NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
SID, TOKEN = "ACbench00000000000000000000000000", "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gateway(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "loan_comms.delivery.fake_gateway", "--port", str(port),
                             "--twilio-sid", SID, "--twilio-token", TOKEN], cwd=ROOT, stdout=subprocess.PIPE)
    proc.stdout.readline()  # "fake gateway listening on ..."
    return proc


def control(url: str, path: str, body: dict | None = None) -> dict:
    with httpx.Client(base_url=url) as c:
        r = c.post(path, json=body or {}) if body is not None or not path.startswith("/_stats") else c.get(path)
        return r.json()


def build_db(n: int):
    """n borrowers, each with an overdue loan and one planned SMS due now (set-based SQL)."""
    con = db.connect()
    con.execute("""
        INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction)
        SELECT 'B' || i, 'Pat Doe', 'Pat', '+1202' || lpad(i::VARCHAR, 7, '0'), 'p' || i || '@example.com', 'en',
               'America/New_York', 'us' FROM range($n) t(i)""", {"n": n})
    con.execute("""INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on)
                   SELECT 'L' || i, 'B' || i, 'personal_loan', 1000, 'USD', DATE '2026-01-01' FROM range($n) t(i)""",
                {"n": n})
    con.execute("""INSERT INTO installments (loan_id, installment_no, due_date, amount_due)
                   SELECT 'L' || i, 1, DATE '2026-11-01', 500 FROM range($n) t(i)""", {"n": n})
    con.execute("""
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, installment_no, channel, purpose,
            step, priority, status, planned_for_date, send_after, send_before, created_at, updated_at)
        SELECT 'A' || i, 'B' || i || '|L' || i || '|dpd_1|sms|2026-11-10', 'B' || i, 'L' || i, 1, 'sms', 'escalation',
               'dpd_1', 1, 'planned', DATE '2026-11-10', TIMESTAMPTZ '2026-11-10 13:00:00+00',
               TIMESTAMPTZ '2026-11-11 02:00:00+00', TIMESTAMPTZ '2026-11-10 03:00:00+00', TIMESTAMPTZ '2026-11-10 03:00:00+00'
        FROM range($n) t(i)""", {"n": n})
    con.execute("""INSERT INTO contact_messages (attempt_id, body_text)
                   SELECT 'A' || i, 'Hi Pat, your payment of $500.00 was due on 1 Nov. Pay at https://pay.example.com/l/L'
                          || i || ' or call 400-800-1234.' FROM range($n) t(i)""", {"n": n})
    return con


def twilio_request(i: int, tag: str) -> tuple[str, dict[str, str], bytes]:
    """The request dispatch makes (no idempotency header: Twilio has none for Messages)."""
    key = f"{tag}-{i}"
    body = urlencode({"To": f"+1202{i:07d}", "From": "+12025550000",
                      "Body": f"Hi Pat, your payment of $500.00 was due on 1 Nov. Pay at https://pay.example.com/l/L{i}"}).encode()
    return key, {}, body


# -- 1. ceiling: a minimal asyncio client ---------------------------------------------------
async def ceiling(port: int, n: int, conns: int) -> float:
    import base64

    auth = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    path = f"/2010-04-01/Accounts/{SID}/Messages.json"
    counter = iter(range(n))

    async def conn() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in counter:
            key, headers, body = twilio_request(i, "ceil")
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
            writer.write(head.encode() + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            length = int(raw.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
            await reader.readexactly(length)
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(conn() for _ in range(conns)))
    return n / (time.perf_counter() - t0)


# -- 2. bare httpx loop, same concurrency and client split as the provider -----------------------
async def bare_httpx(url: str, n: int, in_flight: int, per_client: int) -> float:
    n_clients = -(-in_flight // per_client)
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    clients = [httpx.AsyncClient(base_url=url, limits=limits, timeout=10) for _ in range(n_clients)]
    auth = httpx.BasicAuth(SID, TOKEN)._auth_header  # computed once, as the provider does
    path = httpx.URL(f"{url}/2010-04-01/Accounts/{SID}/Messages.json")  # parsed once, as the provider does
    counter = iter(range(n))

    async def worker(c: httpx.AsyncClient) -> None:
        for i in counter:
            _key, headers, body = twilio_request(i, "bare")
            r = await c.post(path, content=body, headers={**headers, "Authorization": auth,
                                                            "Content-Type": "application/x-www-form-urlencoded"})
            r.json()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(clients[i % n_clients]) for i in range(in_flight)))
    rate = n / (time.perf_counter() - t0)
    for c in clients:
        await c.aclose()
    return rate


# -- 2b. bare aiohttp loop, same concurrency and client split as the provider ---------------------
async def bare_aiohttp(url: str, n: int, in_flight: int, per_client: int) -> float:
    import base64

    from yarl import URL

    n_clients = -(-in_flight // per_client)
    clients = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=per_client),
                                     timeout=aiohttp.ClientTimeout(total=None, connect=10, sock_read=10))
               for _ in range(n_clients)]
    auth = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()   # built once, as the provider does
    path = URL(f"{url}/2010-04-01/Accounts/{SID}/Messages.json")             # parsed once, as the provider does
    counter = iter(range(n))

    async def worker(c: aiohttp.ClientSession) -> None:
        for i in counter:
            _key, headers, body = twilio_request(i, "aio")
            async with c.post(path, data=body, allow_redirects=False,
                              headers={**headers, "Authorization": auth,
                                       "Content-Type": "application/x-www-form-urlencoded"}) as r:
                json.loads(await r.read())

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(clients[i % n_clients]) for i in range(in_flight)))
    rate = n / (time.perf_counter() - t0)
    for c in clients:
        await c.close()
    return rate


def real_dispatch(url: str, n: int, in_flight: int, per_client: int, kind: str = "twilio",
                  extra: dict | None = None) -> tuple[float, object, object]:
    cfg = load_config()
    pcfg = dict(kind=kind, base_url=url, from_number="+12025550000", max_in_flight=in_flight, per_client=per_client,
                timeout_seconds=10, backoff_base_seconds=0.05, backoff_max_seconds=1.0, **(extra or {}))
    cfg = cfg.model_copy(update={"providers": {"sms": ProviderConfig(**pcfg)}})
    con = build_db(n)
    t0 = time.perf_counter()
    first = dispatch_due(con, cfg, NOW)
    rate = n / (time.perf_counter() - t0)
    second = dispatch_due(con, cfg, NOW) if sum(first.retry_later.values()) else None
    left = con.execute("SELECT count(*) FROM contact_attempts WHERE status = 'planned'").fetchall()[0][0]
    con.close()
    return rate, first, (second, left)


def faulty_dispatch(url: str, n: int, in_flight: int, per_client: int) -> tuple[float, object, dict]:
    """A first pass under faults, then passes (each after the reconcile wait) until nothing is left
    to settle: what production's hourly passes do, faster."""
    cfg = load_config()
    pcfg = dict(kind="twilio", base_url=url, from_number="+12025550000", max_in_flight=in_flight, per_client=per_client,
                timeout_seconds=1.0, backoff_base_seconds=0.01, backoff_max_seconds=0.1, reconcile_after_seconds=1.0,
                outage_min_tries=50, outage_after=50)
    cfg = cfg.model_copy(update={"providers": {"sms": ProviderConfig(**pcfg)}})
    con = build_db(n)
    t0 = time.perf_counter()
    first = dispatch_due(con, cfg, NOW)
    rate = n / (time.perf_counter() - t0)
    t1, passes, found, resent = time.perf_counter(), 0, 0, 0
    while passes < 10:
        left = con.execute("SELECT count(*) FILTER (WHERE status = 'planned'), count(*) FILTER (WHERE outcome_unknown) "
                           "FROM contact_attempts").fetchone()
        if not any(left):
            break
        time.sleep(1.0)
        rep = dispatch_due(con, cfg, NOW)
        passes += 1
        found += sum(rep.reconciled.found.values()) if rep.reconciled else 0
        resent += sum(rep.reconciled.resent.values()) if rep.reconciled else 0
    unknown = con.execute("SELECT count(*) FROM contact_attempts WHERE outcome_unknown").fetchone()[0]
    con.close()
    return rate, first, {"passes": passes, "seconds": time.perf_counter() - t1, "found": found, "resent": resent,
                         "unknown": unknown}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--in-flight", type=int, default=32)
    ap.add_argument("--per-client", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--fault-n", type=int, default=20_000, help="messages for the 20%% faults run")
    a = ap.parse_args()
    os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"] = SID, TOKEN
    for k in ("LOAN_COMMS_SMS_PROVIDER", "LOAN_COMMS_SMS_BASE_URL"):
        os.environ.pop(k, None)
    port = free_port()
    gw = start_gateway(port)
    url = f"http://127.0.0.1:{port}"
    try:
        print(f"{a.n:,} messages, {a.in_flight} in flight over {-(-a.in_flight // a.per_client)} clients "
              f"of {a.per_client}; gateway in its own process; 2 cores", flush=True)
        ceils = [asyncio.run(ceiling(port, a.n, a.in_flight))]
        control(url, "/_reset", {})
        print(f"  ceiling (minimal asyncio client)      {ceils[0]:9,.0f} msgs/s", flush=True)
        bares, aios, reals = [], [], []
        for rnd in range(1, a.rounds + 1):   # alternate, so a noisy neighbour hits all alike
            bare = asyncio.run(bare_httpx(url, a.n, a.in_flight, a.per_client))
            control(url, "/_reset", {})
            aio = asyncio.run(bare_aiohttp(url, a.n, a.in_flight, a.per_client))
            control(url, "/_reset", {})
            real, rep, _ = real_dispatch(url, a.n, a.in_flight, a.per_client)
            stats = control(url, "/_stats", None)
            control(url, "/_reset", {})
            bares.append(bare)
            aios.append(aio)
            reals.append(real)
            print(f"  round {rnd}: bare httpx {bare:7,.0f} | bare aiohttp {aio:7,.0f} | dispatch_due {real:7,.0f} msgs/s "
                  f"({real / aio:.0%} of bare aiohttp); accepted {stats['accepted']:,}", flush=True)
            print(f"      {rep}", flush=True)
            print("      time split: " + ", ".join(f"{k} {v:.2f}s" for k, v in rep.timings.items()), flush=True)
        ceils.append(asyncio.run(ceiling(port, a.n, a.in_flight)))
        control(url, "/_reset", {})
        ceil = statistics.median(ceils)
        bare, aio, real = statistics.median(bares), statistics.median(aios), statistics.median(reals)
        print(f"  ceiling again after the rounds        {ceils[-1]:9,.0f} msgs/s (median {ceil:,.0f})", flush=True)
        print(f"  bare httpx loop (median)              {bare:9,.0f} msgs/s   = {bare / ceil:.0%} of ceiling", flush=True)
        print(f"  bare aiohttp loop (median)            {aio:9,.0f} msgs/s   = {aio / ceil:.0%} of ceiling", flush=True)
        print(f"  dispatch_due, real path (median)      {real:9,.0f} msgs/s   = {real / ceil:.0%} of ceiling, "
              f"{real / aio:.0%} of bare aiohttp, {real / bare:.1f}x bare httpx", flush=True)
        fn = min(a.n, a.fault_n)
        control(url, "/_faults", {"rate": 0.2, "kinds": ["500", "503", "429", "reset", "slow", "lost", "accepted_502"],
                                  "retry_after": "0", "seed": 1, "slow_seconds": 1.5})
        freal, frep, settled = faulty_dispatch(url, fn, a.in_flight, a.per_client)
        stats = control(url, "/_stats?full", None)
        control(url, "/_reset", {})
        lost = fn - len(stats["by_attempt"])
        print(f"  dispatch_due, 20% faults (first pass) {freal:9,.0f} msgs/s   = {freal / ceil:.0%} of ceiling "
              f"({fn:,} messages, 1 s timeout)", flush=True)
        print(f"      {frep}", flush=True)
        print(f"      then {settled['passes']} reconciling passes in {settled['seconds']:.1f}s: "
              f"{settled['found']:,} found at the gateway, {settled['resent']:,} sent again; "
              f"faults injected {sum(stats['faults_injected'].values()):,}, lookups {stats['lookups']:,}", flush=True)
        print(f"      counted by the gateway: {stats['accepted']:,} messages for {fn:,} contacts, duplicates "
              f"{stats['duplicates']}, lost {lost}, still unknown {settled['unknown']}", flush=True)
        wreal, wrep, _ = real_dispatch(url, a.n, min(a.in_flight, 8), a.per_client, kind="webhook",
                                       extra={"batch": 100, "path": "/hook"})
        print(f"  webhook provider, 100 msgs/request    {wreal:9,.0f} msgs/s (reference)", flush=True)
        print(json.dumps({"n": a.n, "rounds": a.rounds, "load_avg_1m": os.getloadavg()[0], "in_flight": a.in_flight,
                          "per_client": a.per_client, "ceiling": round(ceil), "ceilings": [round(c) for c in ceils],
                          "bare_httpx": round(bare), "bare_aiohttp": round(aio), "dispatch": round(real),
                          "webhook_batch_100": round(wreal), "ratio_vs_ceiling": round(real / ceil, 3),
                          "ratio_vs_bare_aiohttp": round(real / aio, 3), "ratio_vs_bare_httpx": round(real / bare, 3),
                          "faults_20pct": {"n": fn, "first_pass": round(freal), "duplicates": stats["duplicates"],
                                           "lost": lost, "still_unknown": settled["unknown"],
                                           "reconcile_passes": settled["passes"]}}))
    finally:
        gw.terminate()
        gw.wait(10)


if __name__ == "__main__":
    main()
