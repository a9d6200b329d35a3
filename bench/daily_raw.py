"""The raw limits of one day's work, on the same data in the same run (bench/daily_run.py).

Why: a figure alone says nothing about the design; against what the same machine does for the
same rows with no design at all, it says how far the real run is from the floor. Three floors:
  select  one SELECT (bench/sql/raw_day_candidates.sql) picking the day's reminder and ladder
          contacts with the same predicates, materialized as a temp table;
  render  the day's messages, as many per template as the real run rendered (with the contexts
          it rendered, a sample of them per template), through the store's own template sources in
          its own sandboxed environments, each compiled once into a loop template that renders
          1,000 rows per `render()` call, the output then split;
  insert  the day's recorded contacts and their wording, fetched as Arrow and inserted into fresh
          tables with no constraints.
Each `prepare_*` does the untimed setup and returns the timed work as a function returning rows.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from datetime import date
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from jinja2 import Template, meta

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.policy.engine import step_rows
from loan_comms.templating.samples import sample_contexts
from loan_comms.templating.store import CompiledTemplate, TemplateStore

SQL_DIR = Path(__file__).resolve().parent / "sql"
CHUNK = 1000          # rows per render() of a loop template
SEP = "\ue000"        # between two rendered rows: a private-use character, never in a message, not whitespace


@functools.cache
def bench_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def execute(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run bench/sql/<name>.sql with the parameters it names (duckdb rejects unused ones)."""
    return con.execute(*_bound(name, params))


def _bound(name: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    return db.bind(bench_sql(name), params)


def fetch_arrow(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    text, args = _bound(name, params)
    return con.sql(text, params=args).to_arrow_table()


def figures(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, int]:
    """The day's counts (bench/sql/day_figures.sql)."""
    cur = execute(con, "day_figures", {"as_of": day})
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, cur.fetchall()[0]))


# -- select ------------------------------------------------------------------------------------
def prepare_select(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, day: date) -> Callable[[], int]:
    """The raw selection of the day's reminder and ladder contacts, materialized; returns its rows."""
    steps = pa.Table.from_pylist(step_rows(cfg), schema=pa.schema([
        ("step", pa.string()), ("purpose", pa.string()), ("rank", pa.int32()), ("min_dpd", pa.int32()),
        ("days_before_due", pa.int32()), ("severity", pa.int32()), ("channel", pa.string()),
        ("collection", pa.bool_())]))
    con.register("bench_steps", steps)
    params = {"as_of": day, "legal": list(cfg.policy.legally_required_steps),
              "min_days_between_steps": cfg.ladder_pacing.min_days_between_steps}

    def work() -> int:
        execute(con, "raw_day_candidates", params)
        return int(con.execute("SELECT count(*) FROM raw_day_candidates").fetchall()[0][0])

    return work


# -- render ------------------------------------------------------------------------------------
def loop_source(source: str, variables: list[str]) -> str:
    """A template rendering `rows` one after the other, each with the variables of a message."""
    if not variables:
        return "{% for r in rows %}" + source + SEP + "{% endfor %}"
    bind = ", ".join(f"{v}=r[{v!r}]" for v in variables)
    return "{% for r in rows %}{% with " + bind + " %}" + source + "{% endwith %}" + SEP + "{% endfor %}"


def _contexts_for(t: CompiledTemplate, captured: list[dict[str, Any]], cfg: LifecycleConfig) -> list[dict[str, Any]]:
    """The contexts the real run rendered with this template (a sample), else the lint samples."""
    pool = captured or [s.ctx for s in sample_contexts(t.kind, t.language, cfg)]
    return [{**c, "opt_out_text": c.get("opt_out_text", t.opt_out_text)} for c in pool]


def _finish(part: str, text: str) -> str:
    return " ".join(text.split()) if part == "subject" else text.strip()


def prepare_render(con: duckdb.DuckDBPyConnection, store: TemplateStore, cfg: LifecycleConfig, day: date,
                   captured: Mapping[str, list[dict[str, Any]]]) -> tuple[Callable[[], int], Callable[[], list[str]], float]:
    """The day's messages per template (day_messages_by_template.sql), rendered the batched way.

    Each template part is compiled once here, into a loop template binding only the variables the
    part uses (as the store compiles once, at load). Returns (work, check, compile seconds): work
    renders every message and returns how many; check compares the first rows of each template
    with the store's own render and returns the mismatches (the floor must make the same wording)."""
    by_id = {t.template_id: t for t in store.templates.values()}
    t0 = time.perf_counter()
    jobs: list[tuple[CompiledTemplate, list[dict[str, Any]], dict[str, Template]]] = []
    for tid, n in execute(con, "day_messages_by_template", {"as_of": day}).fetchall():
        t = by_id.get(tid)
        if t is None or t.broken:
            continue
        pool = _contexts_for(t, list(captured.get(tid, [])), cfg)
        parts = {}
        for part, src in t.sources.items():
            env = store.env(t.language, part == "html")
            used = sorted(meta.find_undeclared_variables(env.parse(src)))
            parts[part] = env.from_string(loop_source(src, used))
        jobs.append((t, list(islice(cycle(pool), n)), parts))
    compile_s = time.perf_counter() - t0
    first: dict[str, dict[str, list[str]]] = {}

    def work() -> int:
        done = 0
        for t, rows, parts in jobs:
            out: dict[str, list[str]] = {}
            for part, tmpl in parts.items():
                texts: list[str] = []
                for i in range(0, len(rows), CHUNK):
                    texts += [_finish(part, x) for x in tmpl.render(rows=rows[i:i + CHUNK]).split(SEP)[:-1]]
                out[part] = texts
            done += len(rows)
            first[t.template_id] = {part: texts[:20] for part, texts in out.items()}
        return done

    def check() -> list[str]:
        bad = []
        for t, rows, _ in jobs:
            got = first.get(t.template_id, {})
            for i, row in enumerate(rows[:20]):
                want = t.render(row)
                for part, value in (("txt", want.text), ("subject", want.subject), ("html", want.html)):
                    if value is not None and got.get(part, [None] * 20)[i] != value:
                        bad.append(f"{t.template_id} row {i} part {part}")
        return bad

    return work, check, compile_s


# -- insert ------------------------------------------------------------------------------------
def prepare_insert(con: duckdb.DuckDBPyConnection, day: date) -> tuple[Callable[[], int], Callable[[], None]]:
    """The day's contacts and messages as Arrow, and fresh empty tables shaped like theirs.

    Returns (work, cleanup): work inserts both and returns the rows inserted; cleanup drops the
    tables (so the dispatch that follows sees the database as the run left it)."""
    contacts = fetch_arrow(con, "day_contacts", {"as_of": day})
    messages = fetch_arrow(con, "day_messages", {"as_of": day})
    con.execute("CREATE OR REPLACE TABLE bench_raw_contacts AS SELECT * FROM contact_attempts LIMIT 0")
    con.execute("CREATE OR REPLACE TABLE bench_raw_messages AS SELECT * FROM contact_messages LIMIT 0")
    con.register("_raw_contacts", contacts)
    con.register("_raw_messages", messages)

    def work() -> int:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO bench_raw_contacts SELECT * FROM _raw_contacts")
        con.execute("INSERT INTO bench_raw_messages SELECT * FROM _raw_messages")
        con.execute("COMMIT")
        return int(contacts.num_rows + messages.num_rows)

    def cleanup() -> None:
        con.unregister("_raw_contacts")
        con.unregister("_raw_messages")
        con.execute("DROP TABLE IF EXISTS bench_raw_contacts")
        con.execute("DROP TABLE IF EXISTS bench_raw_messages")

    return work, cleanup
