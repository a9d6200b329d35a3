"""In-process instrumentation for bench/daily_run.py: where the real daily run spends its time.

Why in-process and from outside the product: the benchmark must measure whatever the code does
today (other work changes state, render, policy and dispatch), so nothing here is in loan_comms/.
It wraps, for the duration of a measurement only:
  - `loan_comms.db.run` / `arrow` / `temp_table` (every SQL file the product runs goes through
    them; `rows`, `value` and `changed` call `run`), attributing each call to a stage by the SQL
    file's name (`stage_of`);
  - `loan_comms.policy.gate.judge` (the gate composes its rules into one statement that does not
    go through `db.run`): candidates+policy;
  - `loan_comms.db.transaction`: its COMMIT (where a transaction's writes are made durable) counts
    as record, so the cost of the plan's writes is not left in "python glue";
  - every `TemplateStore.render*` method: render. From `render_many` it also keeps a bounded
    sample of the contexts that rendered, per template, for the raw render of the same messages.
Only the outermost instrumented call is counted, so a wrapped call inside another is not counted
twice. Stages are those of the planning task (`PLAN_TASK`, found through Prefect's task run
context): SQL of the flow's other tasks (exports, summary, checks) is "other SQL". Time inside a
measured phase that no wrapper saw is reported as "python glue + Prefect".

Peak RSS: a thread samples VmRSS from /proc/self/status (psutil is not installed) every few
milliseconds and keeps the peak of the phase and of each stage while it is active. The Prefect
server is another process and is not counted.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from typing import Any, Callable, Iterator

STATE = "state"
POLICY = "candidates+policy"
RENDER = "render"
RECORD = "record"
OTHER_SQL = "other SQL"
OUTBOX = "outbox"
PLAN_STAGES = (STATE, POLICY, RENDER, RECORD, OTHER_SQL)
PLAN_TASK = "plan-contacts"   # tasks/plan.py: the task that plans, polices, renders and records

# Which SQL file belongs to which stage of the plan. The writes of derived state made while
# recording (materialize_installments, open/close_episodes, ingest_payments) stay in "state", as
# in bench/plan_day.py, so the figures compare with the issue's.
_STATE_PREFIXES = ("lifecycle/state/", "arrangements/plan_installments", "arrangements/state",
                   "arrangements/event_changes", "handoff/state")
_POLICY_PREFIXES = ("lifecycle/plan/", "policy/", "arrangements/", "surveys/", "calls/assign/",
                    "visits/", "handoff/")
_OTHER_PLAN = ("lifecycle/plan/render_inputs", "lifecycle/plan/day_recorded", "lifecycle/plan/candidate_count",
               "arrangements/offer_menu", "arrangements/plan_context")
_RECORD_TEMP_TABLES = ("decisions", "rendered_batch")   # what record() writes from; cfg_*: the config


def stage_of(name: str) -> str:
    """The plan stage of a SQL file (or of a temp table by its name, prefixed 'temp:')."""
    if name.startswith("temp:"):
        table = name[5:]
        if table in _RECORD_TEMP_TABLES:
            return RECORD
        return OTHER_SQL if table.startswith("cfg_") or table == "agent_shifts" else POLICY
    base = name.rsplit("/", 1)[-1]
    if name.startswith("lifecycle/days/") or base.startswith("record"):
        return RECORD
    if name.startswith(_OTHER_PLAN) or "export" in base:
        return OTHER_SQL
    if name.startswith(_STATE_PREFIXES):
        return STATE
    if name.startswith(_POLICY_PREFIXES):
        return POLICY
    return OTHER_SQL


def read_rss_mb() -> float:
    """Resident set size of this process now, in MB (VmRSS of /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """Samples VmRSS in a daemon thread; keeps the peak per label while the label is active."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.active: set[str] = set()
        self.peaks: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)
        self._limit: tuple[float, Callable[[float], None]] | None = None

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            rss = self.sample()
            limit = self._limit
            if limit is not None and rss > limit[0]:
                self._limit = None
                limit[1](rss)

    @contextmanager
    def limited(self, limit_mb: float, action: Callable[[float], None]) -> Iterator[None]:
        """Call action(rss) once, from the sampler thread, if RSS passes limit_mb inside the block
        (the benchmark interrupts a DuckDB statement that would take the shared machine down)."""
        self._limit = (limit_mb, action)
        try:
            yield
        finally:
            self._limit = None

    def sample(self) -> float:
        rss = read_rss_mb()
        with self._lock:
            for label in self.active:
                if rss > self.peaks.get(label, 0.0):
                    self.peaks[label] = rss
        return rss

    def enter(self, label: str) -> None:
        with self._lock:
            self.active.add(label)
        self.sample()

    def leave(self, label: str) -> None:
        self.sample()
        with self._lock:
            self.active.discard(label)


class Measure:
    """Seconds, peak RSS and start RSS of named phases, and the stages inside the current phase."""

    def __init__(self, sampler: RssSampler, samples_per_template: int = 256) -> None:
        self.rss = sampler
        self.phase_name: str | None = None
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.cpu_seconds: defaultdict[str, float] = defaultdict(float)   # this process's CPU time, all threads
        self.start_rss: dict[str, float] = {}
        self.sql_by_file: defaultdict[str, float] = defaultdict(float)
        self.samples_per_template = samples_per_template
        self.contexts: dict[str, list[dict[str, Any]]] = defaultdict(list)   # template_id -> contexts
        self.rendered: Counter[str] = Counter()                              # template_id -> messages
        self._depth = 0

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a whole phase (generate, plan, outbox, a raw limit...) with its peak RSS."""
        previous, self.phase_name = self.phase_name, name
        self.start_rss[name] = self.rss.sample()
        self.rss.enter(name)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - t0
            self.cpu_seconds[name] += time.process_time() - c0
            self.rss.leave(name)
            self.phase_name = previous

    def peak(self, label: str) -> float:
        return self.rss.peaks.get(label, 0.0)

    def _label(self, stage: str) -> str:
        """Stages are per phase: inside the dispatch everything is the outbox's; in the plan, only
        the planning task's SQL has a stage."""
        if self.phase_name != "plan":
            return f"{self.phase_name}:{stage}"
        return stage if stage == RENDER or _task_name() == PLAN_TASK else OTHER_SQL

    def timed(self, stage_for: Callable[..., str], fn: Callable[..., Any], *,
              name_for: Callable[..., str] | None = None,
              after: Callable[..., None] | None = None) -> Callable[..., Any]:
        """`fn`, counted under stage_for(*args) when it is the outermost instrumented call; with
        name_for, also per SQL file (the slowest are printed)."""
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self._depth or self.phase_name is None:
                return fn(*args, **kwargs)
            label = self._label(stage_for(*args))
            self._depth += 1
            self.rss.enter(label)
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                result = fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - t0
                self.cpu_seconds[label] += time.process_time() - c0
                self._depth -= 1
                self.rss.leave(label)
                self.seconds[label] += spent
                if name_for is not None:
                    self.sql_by_file[f"{self.phase_name}: {name_for(*args)}"] += spent
            if after is not None:
                after(result, *args, **kwargs)
            return result
        wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
        return wrapper

    def keep_contexts(self, result: Any, store: Any, kind: Any = None, channel: Any = None,
                      language: Any = None, ctxs: Any = None, *rest: Any, **kw: Any) -> None:
        """After TemplateStore.render_many(kind, channel, language, ctxs) or render_batch (the same
        with a ContextBatch, the plan's column-wise render): count the messages and keep up to
        samples_per_template contexts that rendered, keyed by the template used."""
        if hasattr(ctxs, "row") and hasattr(result, "error"):   # render_batch(kind, channel, language, ContextBatch)
            errors = result.error or [None] * len(ctxs)
            result = [RuntimeError(e) if e else None for e in errors]
            ctxs = [ctxs.row(i) for i in range(min(len(ctxs), self.samples_per_template * 4))] \
                + [None] * max(0, len(ctxs) - self.samples_per_template * 4)
        if not isinstance(ctxs, list) or not isinstance(result, list):
            return
        try:
            tid = store.resolve(kind, channel, language).template_id
        except Exception:  # noqa: BLE001 - no template: nothing rendered to sample
            return
        self.rendered[tid] += len(ctxs)
        kept = self.contexts[tid]
        room = self.samples_per_template - len(kept)
        for ctx, res in zip(ctxs, result):
            if room <= 0:
                break
            if ctx is not None and not isinstance(res, Exception):
                kept.append(ctx)
                room -= 1


def _task_name() -> str | None:
    """The name of the Prefect task running this code, if any."""
    from prefect.context import TaskRunContext

    ctx = TaskRunContext.get()
    return ctx.task.name if ctx is not None else None


@contextmanager
def instrumented(measure: Measure) -> Iterator[Measure]:
    """Patch the product's SQL, gate and render entry points for the duration of the block."""
    from loan_comms import db
    from loan_comms.policy import gate
    from loan_comms.templating.store import TemplateStore

    patches: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, attr: str, new: Any) -> None:
        patches.append((owner, attr, getattr(owner, attr)))
        setattr(owner, attr, new)

    def sql_name(con: Any, name: str, *a: Any, **k: Any) -> str:
        return name

    def temp_name(con: Any, name: str, *a: Any, **k: Any) -> str:
        return f"temp:{name}"

    patch(db, "run", measure.timed(lambda *a, **k: stage_of(sql_name(*a, **k)), db.run, name_for=sql_name))
    patch(db, "arrow", measure.timed(lambda *a, **k: stage_of(sql_name(*a, **k)), db.arrow, name_for=sql_name))
    patch(db, "temp_table", measure.timed(lambda *a, **k: stage_of(temp_name(*a, **k)), db.temp_table,
                                          name_for=temp_name))
    patch(gate, "judge", measure.timed(lambda *a, **k: POLICY, gate.judge, name_for=lambda *a, **k: "gate.judge"))
    commit = measure.timed(lambda *a, **k: RECORD, lambda cm: cm.__exit__(None, None, None),
                           name_for=lambda *a, **k: "COMMIT")
    original_transaction = db.transaction

    @contextmanager
    def transaction(con: Any) -> Iterator[Any]:
        cm = original_transaction(con)
        entered = cm.__enter__()
        try:
            yield entered
        except BaseException:
            if not cm.__exit__(*sys.exc_info()):
                raise
        else:
            commit(cm)

    patch(db, "transaction", transaction)
    for attr in [a for a in vars(TemplateStore) if a.startswith("render") and callable(getattr(TemplateStore, a))]:
        after = measure.keep_contexts if attr in ("render_many", "render_batch") else None
        patch(TemplateStore, attr, measure.timed(lambda *a, **k: RENDER, getattr(TemplateStore, attr), after=after))
    try:
        yield measure
    finally:
        for owner, attr, old in reversed(patches):
            setattr(owner, attr, old)
