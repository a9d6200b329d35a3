"""A day's planned text contacts, rendered by column and recorded batch by batch (planner.record).

Why by column: at lender scale a day renders hundreds of thousands of messages, and a dict per
contact on the way in (its row, its template context) and on the way out (its rendered row) cost
more than the rendering itself. So render_inputs.sql gives every template variable SQL can give,
typed; each (step, channel, language) group of a batch becomes one ContextBatch straight from the
Arrow columns (templating/batch.py), the template library renders it in chunks of compiled loops
(TemplateStore.render_batch), and the wording goes back into Arrow column by column. Only the few
rows that carry a survey token or an offer (their tokens need a key) get values made in Python.

`template_context` is the per-contact reference: the contexts by column equal it, key for key, and a
renderer that only renders dicts (a test double) gets exactly those dicts through render_many.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Callable, Iterator, Protocol, runtime_checkable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loan_comms import db
from loan_comms.arrangements import offers
from loan_comms.config import LifecycleConfig
from loan_comms.masking import mask_loan_id
from loan_comms.surveys.planning import SurveyLinks
from loan_comms.templating.batch import ContextBatch, RenderedBatch
from loan_comms.templating.registry import register_versions

# What a rendered batch records (temp table rendered_batch of record_rendered.sql and its companions).
RENDERED_SCHEMA = pa.schema([
    ("idempotency_key", pa.string()), ("template_id", pa.string()), ("template_version", pa.string()),
    ("language", pa.string()), ("subject", pa.string()), ("body_text", pa.string()),
    ("body_html", pa.string()), ("error", pa.string()), ("survey_token", pa.string()), ("plan_token", pa.string()),
])


class Renderer(Protocol):
    """What renders the day's messages: the template library (TemplateStore), or a test double."""

    def render_many(self, kind: str, channel: str, language: str, ctxs: list[dict[str, Any]]) -> list[Any]: ...


@runtime_checkable
class BatchRenderer(Protocol):
    """A renderer that takes a group's contexts by column (TemplateStore): the planner's fast path.
    Others (test doubles) get the same contexts as dicts, through render_many."""

    def render_batch(self, kind: str, channel: str, language: str, batch: ContextBatch) -> RenderedBatch: ...


def template_context(row: dict[str, Any], cfg: LifecycleConfig) -> dict[str, Any]:
    """The fixed set of variables a template may use (see templates/README.md), for one contact: the
    reference the planner's contexts by column (_contexts) equal, key for key (template previews and
    tests use it)."""
    loan_id = str(row["loan_id"])
    return {
        "first_name": row["first_name"],
        "full_name": row["full_name"],
        "amount_due": row["amount_due"],
        "currency": row["currency"],
        "due_date": row["due_date"],
        "days_past_due": int(row["days_past_due"] or 0),
        "product": row["product"],
        "pay_link": f"{cfg.general.pay_link_base}{loan_id}",
        "help_line": cfg.general.help_line,
        # a planned survey's own token (survey_invitations); else the loan (template previews)
        "survey_link": f"{cfg.general.survey_link_base}{row.get('survey_token') or loan_id}",
        "loan_id_masked": mask_loan_id(loan_id),
        "promised_date": row["promised_date"],
        "language": row["language"],
        # repayment plans (loan_comms/arrangements/offers.py): the offer's link and menu, or the plan
        "plan_link": offers.plan_link(cfg, row.get("plan_token")),
        "plan_options": row.get("plan_options") or [],
        "arrears": row.get("arrears"),
        "plan": row.get("plan"),
    }


def rendered_batches(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer,
                     params: dict[str, Any], batch_size: int,
                     progress: Callable[[int], None] | None,
                     offer_links: offers.OfferLinks | None = None) -> Iterator[pa.Table]:
    """The planned text contacts of temp table decisions not recorded yet, rendered batch by batch,
    each an Arrow table of RENDERED_SCHEMA; offers get their token and menu, plan contacts their plan
    (one query per batch, offers.py), surveys their token."""
    # Fetched whole (as Arrow, typed in SQL) because each batch is then written on this same
    # connection, and duckdb refuses new work while a result is still streaming.
    inputs = db.arrow(con, "lifecycle/plan/render_inputs", {**params, "pay_link_base": cfg.general.pay_link_base,
                                                             "survey_link_base": cfg.general.survey_link_base})
    links = SurveyLinks(cfg)
    plan_links = offer_links or offers.OfferLinks(cfg)
    # Checked once, before rendering: without the token key the surveys alone fail (their own reason).
    keyless = bool(pc.any(pc.equal(inputs.column("purpose"), "survey")).as_py()) and not links.available()
    done = 0
    for batch in inputs.to_batches(max_chunksize=batch_size):
        held = None
        if keyless:
            is_survey = pc.equal(batch.column("purpose"), "survey")
            held, batch = batch.filter(is_survey), batch.filter(pc.invert(is_survey))
        rendered = _render_batch(con, cfg, renderer, batch, links, plan_links, params["as_of"])
        if held is not None and held.num_rows:
            rendered = pa.concat_tables([rendered, _failed(held, SurveyLinks.MISSING_KEY)])
        yield rendered
        done += batch.num_rows
        if progress:
            progress(done)


# A contact's template variables, in template_context's order. render_inputs.sql has a column for
# each but help_line (the config's) and the offer's, added at render (offers.OfferLinks.attach).
CONTEXT_VARIABLES: tuple[str, ...] = (
    "first_name", "full_name", "amount_due", "currency", "due_date", "days_past_due", "product", "pay_link",
    "help_line", "survey_link", "loan_id_masked", "promised_date", "language", "plan_link", "plan_options",
    "arrears", "plan")
_OFFER_VARIABLES: dict[str, Any] = {"plan_link": None, "plan_options": [], "arrears": None, "plan": None}
_SQL_VARIABLES = tuple(v for v in CONTEXT_VARIABLES if v != "help_line" and v not in _OFFER_VARIABLES)
_OUTPUT = [f.name for f in RENDERED_SCHEMA][1:]   # every column but the idempotency_key


def _render_batch(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer, batch: pa.RecordBatch,
                  survey_links: SurveyLinks, offer_links: offers.OfferLinks, as_of: date) -> pa.Table:
    """One batch, rendered group by (step, channel, language) group, by column: the contexts come
    straight from the Arrow columns (templating/batch.py ContextBatch) and the wording goes straight
    back into Arrow, with no dict per contact on the way (but for renderers that only take dicts)."""
    purpose = batch.column("purpose")
    surveys = pc.indices_nonzero(pc.equal(purpose, "survey")).to_pylist() if batch.num_rows else []
    keys = batch.column("idempotency_key")
    survey_tokens = {i: survey_links.token(keys[i].as_py()) for i in surveys}
    offer_data = offer_links.attach(con, batch, as_of)   # row -> its plan_token, plan_options, arrears, plan
    out: dict[str, list[Any]] = {name: [] for name in _OUTPUT}
    for start, stop in _groups(batch):
        group = batch.slice(start, stop - start)
        tokens = {i - start: t for i, t in survey_tokens.items() if start <= i < stop}
        extras = {i - start: x for i, x in offer_data.items() if start <= i < stop}
        ctx = _contexts(group, cfg, tokens, extras)
        # the template: the step's, or its arm's wording variant (sql/experiments/tag_decisions.sql)
        kind, channel, language = (group.column(c)[0].as_py() for c in ("template_kind", "channel", "language"))
        if isinstance(renderer, BatchRenderer):
            _append_batch(out, renderer.render_batch(kind, channel, language, ctx), language, tokens, extras)
        else:
            _append_rows(out, renderer.render_many(kind, channel, language, ctx.dicts()), language, tokens, extras)
    return pa.Table.from_arrays([keys, *(pa.array(out[name], pa.string()) for name in _OUTPUT)],
                                schema=RENDERED_SCHEMA)


def _groups(batch: pa.RecordBatch) -> list[tuple[int, int]]:
    """(start, stop) of each run of rows with the same template, channel and language (render_inputs.sql
    orders by them), found by comparing each row with the one before, in Arrow."""
    n = batch.num_rows
    if n == 0:
        return []
    changed = pa.array([False] * (n - 1), pa.bool_())
    for name in ("template_kind", "channel", "language"):
        column = batch.column(name)
        differs = pc.fill_null(pc.not_equal(column.slice(1), column.slice(0, n - 1)), True)
        changed = pc.or_(changed, differs)
    starts = [0, *(i + 1 for i in pc.indices_nonzero(changed).to_pylist())]
    return list(zip(starts, [*starts[1:], n]))


def _contexts(group: pa.RecordBatch, cfg: LifecycleConfig, survey_tokens: dict[int, str],
              offer_data: dict[int, dict[str, Any]]) -> ContextBatch:
    """The group's template contexts, by column: what template_context gives each contact."""
    columns: dict[str, Any] = {name: group.column(name) for name in _SQL_VARIABLES}
    constants: dict[str, Any] = {"help_line": cfg.general.help_line, **_OFFER_VARIABLES}
    if survey_tokens:   # a planned survey's own token (survey_invitations), not the loan
        links = group.column("survey_link").to_pylist()
        for i, token in survey_tokens.items():
            links[i] = f"{cfg.general.survey_link_base}{token}"
        columns["survey_link"] = links
    if offer_data:
        data = [offer_data.get(i) for i in range(group.num_rows)]
        columns["plan_link"] = [offers.plan_link(cfg, d["plan_token"]) if d else None for d in data]
        columns["plan_options"] = [d["plan_options"] if d else [] for d in data]
        columns["arrears"] = [d["arrears"] if d else None for d in data]
        columns["plan"] = [d["plan"] if d else None for d in data]
    return ContextBatch(group.num_rows, CONTEXT_VARIABLES, columns, constants)


def _append_batch(out: dict[str, list[Any]], res: RenderedBatch, language: str, survey_tokens: dict[int, str],
                  offer_data: dict[int, dict[str, Any]]) -> None:
    """A group rendered by column, as rows of rendered_batch: a failed row keeps only its error and language."""
    n = len(res.text)
    errors = res.error or [None] * n
    ok = res.error is None
    out["template_id"] += [res.template_id] * n if ok else [None if e else res.template_id for e in errors]
    out["template_version"] += [res.template_version] * n if ok else [None if e else res.template_version for e in errors]
    out["language"] += [res.language] * n if ok else [language if e else res.language for e in errors]
    out["subject"] += res.subject
    out["body_text"] += res.text
    out["body_html"] += res.html
    out["error"] += errors if ok else [f"render_failed: {e}" if e else None for e in errors]
    out["survey_token"] += _sparse(n, survey_tokens, errors)
    out["plan_token"] += _sparse(n, {i: x["plan_token"] for i, x in offer_data.items()}, errors)


def _append_rows(out: dict[str, list[Any]], results: list[Any], language: str, survey_tokens: dict[int, str],
                 offer_data: dict[int, dict[str, Any]]) -> None:
    """A group from a renderer that renders dicts (render_many): one result or exception per row."""
    for i, res in enumerate(results):
        row: tuple[Any, ...]
        if isinstance(res, Exception):
            row = (None, None, language, None, None, None, f"render_failed: {res}", None, None)
        else:
            row = (res.template_id, res.template_version, res.language, res.subject, res.text, res.html, None,
                   survey_tokens.get(i), offer_data.get(i, {}).get("plan_token"))
        for name, value in zip(_OUTPUT, row):
            out[name].append(value)


def _sparse(n: int, values: dict[int, Any], errors: list[str | None]) -> list[Any]:
    """n values, None but where `values` has one for a row that rendered."""
    column: list[Any] = [None] * n
    for i, value in values.items():
        if not errors[i]:
            column[i] = value
    return column


def render_failures(rendered: pa.Table) -> Counter[str]:
    """How many contacts of a rendered batch failed, by their error (cut to 120 characters)."""
    errors = rendered.column("error").drop_null().to_pylist()
    return Counter(e.removeprefix("render_failed: ")[:120] for e in errors)


def _failed(rows: pa.RecordBatch, why: str) -> pa.Table:
    """The rendered rows of contacts that cannot be rendered: recorded failed with `why`."""
    n = rows.num_rows
    none = pa.nulls(n, pa.string())
    columns = {"idempotency_key": rows.column("idempotency_key"), "language": rows.column("language"),
               "error": pa.array([f"render_failed: {why}"] * n, pa.string())}
    return pa.Table.from_arrays([columns.get(f.name, none) for f in RENDERED_SCHEMA], schema=RENDERED_SCHEMA)


def record_rendered(con: duckdb.DuckDBPyConnection, rendered: pa.Table, params: dict[str, Any],
                    renderer: Renderer) -> None:
    """One rendered batch recorded in one transaction: the contacts with their template identity or
    error, their wording, the provenance of each template version not yet in the book's registry
    (templating/registry.py: who wrote and approved it, from `renderer`), and the survey invitations
    and offers they carry (so a crash leaves whole batches, and a re-run renders exactly what is missing)."""
    with db.transaction(con):
        db.temp_table(con, "rendered_batch", rendered)
        db.run(con, "lifecycle/plan/record_rendered", params)
        register_versions(con, renderer, rendered, params["recorded_at"])
        db.run(con, "lifecycle/plan/record_rendered_messages", params)
        db.run(con, "surveys/record_invitations", params)
        db.run(con, "arrangements/record_offers", params)
        db.run(con, "arrangements/record_offer_options", params)
        db.run(con, "arrangements/record_offer_loans", params)
