"""Batched rendering (templating/batch.py) gives exactly the bytes and errors of rendering row by row.

The reference is render_many over one dict per row (CompiledTemplate.render, the per-row path); the
batched path is render_batch over the same rows by column. Every shipped template, both languages,
varied borrowers, offers with menus and plans, rows that fail, a row printing the separator, chunk
boundaries, broken and missing templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from loan_comms.templating import TemplateStore
from loan_comms.templating import store as store_module
from loan_comms.templating.batch import SEPARATOR, ContextBatch, python_values
from loan_comms.templating.env import ALLOWED_VARIABLES

from .conftest import write

MENU = [dict(no=1, label="Spread over 3 months", kind="respread", months=3, payment=Decimal("400.00"),
             total=Decimal("6900.00"), first_due=date(2026, 12, 1), needs_review=False, equal=False,
             last=Decimal("6100.00")),
        dict(no=2, label="分6个月还", kind="respread", months=6, payment=Decimal("150.00"), total=Decimal("900.00"),
             first_due=date(2026, 12, 1), needs_review=False, equal=True, last=Decimal("150.00")),
        dict(no=3, label="A one-month break", kind="holiday", months=1, payment=Decimal("0.00"),
             total=Decimal("300.00"), first_due=date(2027, 1, 1), needs_review=True, equal=True, last=None)]
PLAN = dict(label="Spread over 3 months", kind="respread", months=3, payment=Decimal("400.00"), currency="CNY",
            schedule=[dict(no=i, due_date=date(2026, 12, i), amount=Decimal("400.00")) for i in (1, 2, 3)],
            installments=3, total=Decimal("1200.00"), next_due_date=date(2026, 12, 1), next_amount=Decimal("400.00"),
            decision_reason="income too low", status="active")

# What the planner passes (lifecycle/rendering.py template_context): every documented variable but opt_out_text.
CONTEXT_VARIABLES = tuple(v for v in ALLOWED_VARIABLES if v != "opt_out_text")
NAMES = ["Li", "<b>Tom & Jerry</b>", 'Zoë "Q" O\'Neil', "王伟", "{{ 7 * 7 }}", "Maximiliana-Alexandra " * 4]


def contexts(n: int) -> list[dict[str, Any]]:
    """n varied contexts, as the planner gives them (template_context's keys and types)."""
    out = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        offer = i % 4 == 1
        out.append({
            "first_name": name, "full_name": f"{name} Full", "amount_due": [Decimal("1234.50"), Decimal("0.00"),
                                                                          Decimal("-12.05"), Decimal("9876543210.99")][i % 4],
            "currency": ["CNY", "USD", "GBP", "JPY"][i % 4], "due_date": date(2026, 11, 1 + i % 28),
            "days_past_due": i % 40, "product": ["personal_loan", "auto_loan", "weird_code"][i % 3],
            "pay_link": f"https://pay.example.com/l/L{i:06d}", "help_line": "400-800-1234",
            "survey_link": f"https://survey.example.com/s/tok{i}", "loan_id_masked": f"****{i % 10000:04d}",
            "promised_date": date(2026, 11, 20) if i % 3 == 0 else None, "language": ["en", "zh-CN"][i % 2],
            "plan_link": f"https://plan.example.com/o/tok{i}" if offer else None,
            "plan_options": MENU[: 1 + i % 3] if offer else [], "arrears": Decimal("300.00") if offer else None,
            "plan": PLAN if i % 5 == 2 else None,
        })
    return out


def by_column(rows: list[dict[str, Any]], constants: tuple[str, ...] = ("help_line",)) -> ContextBatch:
    """The same contexts as a ContextBatch: constants once, the rest as columns."""
    columns = {k: [r[k] for r in rows] for k in CONTEXT_VARIABLES if k not in constants}
    return ContextBatch(len(rows), CONTEXT_VARIABLES, columns, {k: rows[0][k] for k in constants})


def reference(store: TemplateStore, key: tuple[str, str, str], rows: list[dict[str, Any]]) -> list[tuple]:
    """Row by row: render_many over dicts, as (template_id, version, language, subject, text, html, error)."""
    out = []
    for r in store.render_many(*key, rows):
        if isinstance(r, Exception):
            out.append((None, None, None, None, None, None, r.reason))
        else:
            out.append((r.template_id, r.template_version, r.language, r.subject, r.text, r.html, None))
    return out


def batched(store: TemplateStore, key: tuple[str, str, str], batch: ContextBatch) -> list[tuple]:
    res = store.render_batch(*key, batch)
    errors = res.error or [None] * len(batch)
    return [(None, None, None, None, None, None, e) if e else
            (res.template_id, res.template_version, res.language, s, t, h, None)
            for s, t, h, e in zip(res.subject, res.text, res.html, errors)]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 rows, so a few dozen rows cross several chunk boundaries."""
    monkeypatch.setattr(store_module, "CHUNK", 7)


def test_every_shipped_template_renders_the_same_bytes_batched(shipped, small_chunks):
    rows = contexts(40)
    rows[9] = {**rows[9], "first_name": None, "full_name": None}                # prints None: fails alone
    rows[23] = {**rows[23], "amount_due": "lots"}                               # money filter refuses it
    rows[30] = {**rows[30], "first_name": f"A{SEPARATOR}B", "full_name": f"A{SEPARATOR}B"}   # prints the separator
    batch = by_column(rows)
    keys = sorted(shipped.templates)
    assert len(keys) > 50
    for key in keys:
        want = reference(shipped, key, rows)
        assert batched(shipped, key, batch) == want, key
    # the variety reached the wording: failures, escapes, menus and plans
    dpd = reference(shipped, ("forbearance_offer", "sms", "en"), rows)
    assert dpd[9][6] and not dpd[8][6] and "Reply 1 for" in dpd[1][4]
    html = reference(shipped, ("pre_due_3", "email", "en"), rows)[1][5]
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in html


def test_every_template_is_batched_not_only_row_by_row(shipped):
    """The shipped library loops every part: the speed is not lost to a silent fallback."""
    assert all(t.loops.get(part) is not None for t in shipped.templates.values() for part in t.compiled)


def test_a_bad_row_fails_alone_with_its_own_error(shipped):
    rows = contexts(30)
    rows[17] = {**rows[17], "amount_due": "lots"}
    res = shipped.render_batch("dpd_1", "sms", "en", by_column(rows))
    assert [i for i, e in enumerate(res.error) if e] == [17]
    assert "money" in res.error[17] and "lots" not in res.error[17]
    assert all(res.text[i] for i in range(30) if i != 17) and res.text[17] is None


def test_missing_and_broken_templates_fail_every_row_as_render_many_does(lib, cfg, shipped):
    rows = contexts(5)
    assert batched(shipped, ("nope", "sms", "en"), by_column(rows)) == reference(shipped, ("nope", "sms", "en"), rows)
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name }} {% if %}")
    broken = TemplateStore.load(lib, cfg)
    assert batched(broken, ("dpd_1", "sms", "en"), by_column(rows)) == reference(broken, ("dpd_1", "sms", "en"), rows)
    assert all(r[6] for r in reference(broken, ("dpd_1", "sms", "en"), rows))


def test_fallback_language_and_templates_that_do_not_loop_match(lib, cfg):
    """A missing translation renders the default language's; a template with a block renders row by row."""
    (lib / "sms/zh-CN/dpd_1.txt.j2").unlink()
    write(lib, "sms/en/dpd_10.txt.j2", "{% block b %}Hi {{ first_name }}{% endblock %} {{ opt_out_text }}")
    store = TemplateStore.load(lib, cfg)
    rows = contexts(12)
    for key in (("dpd_1", "sms", "zh-CN"), ("dpd_10", "sms", "en")):
        assert batched(store, key, by_column(rows)) == reference(store, key, rows)
    assert store.templates[("dpd_10", "sms", "en")].loops["txt"] is None


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.text(max_size=12), min_size=1, max_size=12),
       cents=st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=12))
def test_any_name_and_amount_render_the_same_batched(shipped, names, cents):
    rows = contexts(len(names))
    for r, name, c in zip(rows, names, cents * len(names)):
        r.update(first_name=name, full_name=name, amount_due=Decimal(c).scaleb(-2))
    batch = by_column(rows)
    for key in (("pre_due_3", "sms", "en"), ("pre_due_3", "email", "zh-CN"), ("visit_notice", "letter", "en")):
        assert batched(shipped, key, batch) == reference(shipped, key, rows), key


def test_a_column_from_arrow_holds_the_values_to_pylist_gives():
    dates = pa.array([date(2026, 11, 1), None, date(2026, 11, 1), date(1999, 1, 31)], pa.date32())
    amounts = pa.array([Decimal("390.10"), None, Decimal("0.00"), Decimal("-12.05"), Decimal("9999999999999999.99")],
                       pa.decimal128(18, 2))
    for array in (dates, amounts, pa.array(["a", None, "b"]), pa.array([1, None], pa.int32())):
        got = python_values(array)
        assert got == array.to_pylist()
        assert [str(v) for v in got] == [str(v) for v in array.to_pylist()]   # Decimal('0.00') stays 0.00


def test_a_batch_gives_each_row_as_the_dict_the_row_path_takes():
    rows = contexts(6)
    batch = ContextBatch(6, CONTEXT_VARIABLES,
                         {k: [r[k] for r in rows] for k in CONTEXT_VARIABLES if k != "help_line"} |
                         {"due_date": pa.array([r["due_date"] for r in rows], pa.date32())},
                         {"help_line": "400-800-1234"})
    assert batch.dicts() == rows
    assert list(batch.dicts()[0]) == list(CONTEXT_VARIABLES)
