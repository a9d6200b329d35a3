"""Rendering a real day's contacts: the planner's path against the bare batched render, same run.

    .venv/bin/python bench/render.py [--loans 20000] [--book FILE] [--day 2026-11-12] [--rounds 3]

A generated book (or a copy of --book, whose day before --day must be planned) is decided for --day
(planner.decide: temp tables, nothing written), then, on the same contacts, median of --rounds:

  real path     rendering.rendered_batches: render_inputs.sql fetched as Arrow, offers and survey tokens
                attached, contexts by column, TemplateStore.render_batch, the rendered batch as Arrow;
                of which the fetch alone and OfferLinks.attach alone (the SQL parts of the path)
  record        rendering.record_rendered of those batches (contact_attempts, contact_messages, offers,
                surveys: SQL and commits), measured once, after the rounds (it writes)
  bare          the raw limit: the same messages through the same compiled loop templates, one
                root_render_func call per 1,000 rows per part, from tuples built before the clock starts;
                no fetch, no checks, no split, no Arrow
  row by row    main's way, on the same contacts: render_inputs.sql fetched, each row to a dict
                (to_pylist), template_context, render_many per group, the rendered rows back to Arrow
                with from_pylist (offers and survey tokens left out: they only add to it)

and the ratio of the real path to the bare render. Then one template (sms/en/pre_due_3) through a
default Jinja sandbox, the store row by row, the store batched, and a plain f-string (the floor).
Times are CPU seconds of this process, DuckDB's threads included (the machine is shared: wall clock
is printed beside them, and swings with the load).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyarrow as pa  # noqa: E402
from babel.dates import format_date  # noqa: E402
from babel.numbers import format_currency  # noqa: E402
from jinja2 import StrictUndefined  # noqa: E402
from jinja2.runtime import new_context  # noqa: E402
from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: E402

import loan_comms.db as dbm  # noqa: E402
from loan_comms.arrangements import offers  # noqa: E402
from loan_comms.book.synthetic import generate_book  # noqa: E402
from loan_comms.clock import plan_instant, utc_now  # noqa: E402
from loan_comms.config import load_config  # noqa: E402
from loan_comms.lifecycle import planner, rendering  # noqa: E402
from loan_comms.templating import TemplateStore, templates_dir  # noqa: E402
from loan_comms.templating.batch import CHUNK, ContextBatch  # noqa: E402
from loan_comms.templating.env import PRODUCT_NAMES  # noqa: E402


def cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(CPU seconds of this process, DuckDB's threads included; wall seconds; result) of one call."""
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c, time.perf_counter() - w, out


def median_of(rounds: int, fn: Callable[[], Any]) -> tuple[float, float]:
    runs = [cpu(fn)[:2] for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


class Collect:
    """A renderer that keeps each group's contexts (as the planner builds them) and renders nothing."""

    def __init__(self) -> None:
        self.groups: list[tuple[str, str, str, ContextBatch]] = []

    def render_many(self, kind: str, channel: str, language: str, ctxs: list[dict[str, Any]]) -> list[Any]:
        raise AssertionError("render_batch only")

    def render_batch(self, kind: str, channel: str, language: str, batch: ContextBatch) -> Any:
        self.groups.append((kind, channel, language, batch))
        from loan_comms.templating.batch import RenderedBatch
        n = len(batch)
        return RenderedBatch(None, None, None, [None] * n, [None] * n, [None] * n, ["collected"] * n)


def bare_work(store: TemplateStore, groups: list[tuple[str, str, str, ContextBatch]]) -> list[tuple[Any, list]]:
    """(loop template, rows) per chunk and part, built before timing: what the bare render renders."""
    work = []
    for kind, channel, language, batch in groups:
        t = store.resolve(kind, channel, language)
        extra = {"opt_out_text": t.opt_out_text}
        for part, loop in t.loops.items():
            assert loop is not None, (t.template_id, part)
            for start in range(0, len(batch), CHUNK):
                work.append((loop.template, batch.rows(loop.names, start, min(start + CHUNK, len(batch)), extra)))
    return work


def bare(work: list[tuple[Any, list]]) -> None:
    for tmpl, rows in work:
        "".join(tmpl.root_render_func(new_context(tmpl.environment, tmpl.name, tmpl.blocks, {"_rows": rows}, True)))


def day(args: argparse.Namespace) -> None:
    cfg = load_config()
    store = TemplateStore.load(templates_dir(cfg), cfg)
    as_of = date.fromisoformat(args.day)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        if args.book:
            shutil.copy(args.book, path)
            con = dbm.connect(path)
            print(f"book: a copy of {args.book}")
        else:
            con = dbm.connect(path)
            print(f"book: {generate_book(con, loans=args.loans, seed=11, start=as_of)}")
            planner.plan_day(con, cfg, store, as_of - timedelta(days=1))
        now = plan_instant(as_of)
        planner.decide(con, cfg, as_of, now)
        params = planner._params(cfg, as_of, now, utc_now())

        def real() -> list[Any]:
            return list(rendering.rendered_batches(con, cfg, store, params, cfg.dispatch.batch_size, None,
                                                  offers.OfferLinks(cfg)))

        batches = real()   # warm: babel's formats, the date cache
        n = sum(b.num_rows for b in batches)
        collect = Collect()
        list(rendering.rendered_batches(con, cfg, collect, params, cfg.dispatch.batch_size, None))
        work = bare_work(store, collect.groups)
        def row_by_row() -> None:
            inputs = dbm.arrow(con, "lifecycle/plan/render_inputs", inputs_params)
            for batch in inputs.to_batches(max_chunksize=cfg.dispatch.batch_size):
                out = []
                for (kind, channel, language), rows in groupby(batch.to_pylist(),
                                                               key=lambda r: (r["step"], r["channel"], r["language"])):
                    group = list(rows)
                    for row, r in zip(group, store.render_many(kind, channel, language,
                                                               [rendering.template_context(x, cfg) for x in group])):
                        out.append(dict(idempotency_key=row["idempotency_key"], template_id=r.template_id,
                                        template_version=r.template_version, language=r.language, subject=r.subject,
                                        body_text=r.text, body_html=r.html, error=None, survey_token=None,
                                        plan_token=None) if not isinstance(r, Exception) else
                                   dict(idempotency_key=row["idempotency_key"], language=language, error=str(r)))
                pa.Table.from_pylist(out, schema=rendering.RENDERED_SCHEMA)

        inputs_params = {**params, "pay_link_base": cfg.general.pay_link_base,
                         "survey_link_base": cfg.general.survey_link_base}
        real_cpu, real_wall = median_of(args.rounds, real)
        fetch_cpu, fetch_wall = median_of(args.rounds, lambda: dbm.arrow(con, "lifecycle/plan/render_inputs",
                                                                         inputs_params))
        offer_cpu, offer_wall = median_of(args.rounds, lambda: [
            offers.OfferLinks(cfg).attach(con, b, as_of) for b in dbm.arrow(
                con, "lifecycle/plan/render_inputs", inputs_params).to_batches(max_chunksize=cfg.dispatch.batch_size)])
        offer_cpu, offer_wall = offer_cpu - fetch_cpu, offer_wall - fetch_wall
        bare_cpu, bare_wall = median_of(args.rounds, lambda: bare(work))
        row_cpu, row_wall = median_of(args.rounds, row_by_row)
        rec_cpu, rec_wall, _ = cpu(lambda: [rendering.record_rendered(con, b, params, store) for b in batches])
        con.close()
    mix: dict[str, int] = {}
    for _, channel, _, b in collect.groups:
        mix[channel] = mix.get(channel, 0) + len(b)
    print(f"{n:,} text contacts of {as_of} ({', '.join(f'{c} {k:,}' for c, k in sorted(mix.items()))}), "
          f"{len(collect.groups)} (step, channel, language) groups; median of {args.rounds}, CPU seconds")
    print(f"{'what':<58}{'s':>8}{'µs/contact':>12}{'wall s':>9}")
    for label, c, w in (("real path: fetch, offers, contexts, render, Arrow", real_cpu, real_wall),
                        ("  of which fetch: render_inputs.sql to Arrow (SQL)", fetch_cpu, fetch_wall),
                        ("  of which offers: OfferLinks.attach (SQL + menus)", offer_cpu, offer_wall),
                        ("bare batched render, same messages and templates (raw limit)", bare_cpu, bare_wall),
                        ("row by row, main's way (dicts, template_context, render_many)", row_cpu, row_wall),
                        ("record: record_rendered of those batches (SQL, once)", rec_cpu, rec_wall)):
        print(f"{label:<58}{c:>8.2f}{c / n * 1e6:>12.2f}{w:>9.2f}")
    print(f"real path / bare render: {real_cpu / bare_cpu:.2f}x (without fetch and offers: "
          f"{(real_cpu - fetch_cpu - offer_cpu) / bare_cpu:.2f}x); row by row / real path: {row_cpu / real_cpu:.1f}x")


def contexts(n: int, cfg: Any) -> list[dict[str, Any]]:
    rnd = random.Random(7)
    names = ["Li", "Wei", "Oliver", "Chloé", "Maximiliana-Alexandra", "Ana", "Tom"]
    out = []
    for i in range(n):
        loan = f"LN{20260000 + i}"
        out.append({
            "first_name": rnd.choice(names), "full_name": "Li Na",
            "amount_due": Decimal(rnd.randint(1000, 5_000_000)) / 100,
            "currency": rnd.choice(["CNY", "USD", "GBP"]),
            "due_date": date(2026, 11, 1) + timedelta(days=rnd.randint(0, 60)),
            "days_past_due": 0, "product": rnd.choice(["personal_loan", "auto_loan", "mortgage"]),
            "pay_link": cfg.general.pay_link_base + loan, "help_line": cfg.general.help_line,
            "survey_link": cfg.general.survey_link_base + loan, "loan_id_masked": "****" + loan[-4:],
            "promised_date": None, "language": "en", "plan_link": None, "plan_options": [], "arrears": None,
            "plan": None,
        })
    return out


def one_template(n: int, rounds: int) -> None:
    cfg = load_config()
    store = TemplateStore.load(templates_dir(cfg), cfg)
    ctxs = contexts(n, cfg)
    names = rendering.CONTEXT_VARIABLES
    batch = ContextBatch(n, names, {k: [c[k] for c in ctxs] for k in names}, {})
    source = (templates_dir(cfg) / "sms/en/pre_due_3.txt.j2").read_text(encoding="utf-8")
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["money"] = lambda v, c: format_currency(v, c, locale="en")
    env.filters["date"] = lambda d: format_date(d, "medium", locale="en")
    env.filters["product_name"] = lambda p: PRODUCT_NAMES["en"].get(p, "loan")
    default_tmpl = env.from_string(source)
    opt = "Reply STOP to opt out"
    money = store.env("en", False).filters["money"]
    dfmt = store.env("en", False).filters["date"]
    product = PRODUCT_NAMES["en"]

    def default() -> None:
        for c in ctxs:
            default_tmpl.render(c, opt_out_text=opt).strip()

    def fstring() -> None:
        for c in ctxs:
            f"Hi {c['first_name']}, a reminder: your {product.get(c['product'], 'loan')} payment of " \
                f"{money(c['amount_due'], c['currency'])} is due on {dfmt(c['due_date'])}. Pay: {c['pay_link']} " \
                f"Need help or a plan? Call {c['help_line']}. {opt}"

    # correctness first: the paths agree on the wording
    a = default_tmpl.render(ctxs[0], opt_out_text=opt).strip()
    assert a == store.render("pre_due_3", "sms", "en", ctxs[0]).text == \
        store.render_batch("pre_due_3", "sms", "en", batch).text[0], a
    print(f"\none template, sms/en/pre_due_3, {n:,} messages, median of {rounds}, CPU seconds")
    print(f"{'path':<58}{'µs/msg':>10}{'msgs/s':>12}")
    for label, fn in (("default sandbox + babel, row by row", default),
                      ("TemplateStore.render_many, row by row (reference)", lambda: store.render_many(
                          "pre_due_3", "sms", "en", ctxs)),
                      ("TemplateStore.render_batch (the planner's path)", lambda: store.render_batch(
                          "pre_due_3", "sms", "en", batch)),
                      ("plain f-string, cached filters (floor)", fstring)):
        per = median_of(rounds, fn)[0] / n
        print(f"{label:<58}{per * 1e6:>10.2f}{1 / per:>12,.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=20_000)
    ap.add_argument("--book", help="copy this book (its day before --day planned) instead of generating one")
    ap.add_argument("--day", default="2026-11-12")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--messages", type=int, default=50_000, help="messages for the one-template figures")
    args = ap.parse_args()
    day(args)
    one_template(args.messages, args.rounds)


if __name__ == "__main__":
    main()
