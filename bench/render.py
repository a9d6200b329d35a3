"""Render throughput of the template studio, against a default Jinja setup and an f-string floor.

    .venv/bin/python bench/render.py [N]

Prints msgs/s and µs/msg (median of 3 runs, one core) for the SMS reminder sms/en/pre_due_3:
  1. default   sandboxed Jinja as it comes (globals copied per render) + babel format_currency/format_date
  2. store     TemplateStore.render_many (what the planner calls): globals cleared, cached formats
  3. f-string  the same wording hand-written in Python (lower bound)
and the same for a zh-CN email (three parts) through the store.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.dates import format_date  # noqa: E402
from babel.numbers import format_currency  # noqa: E402
from jinja2 import StrictUndefined  # noqa: E402
from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: E402

from loan_comms.config import load_config  # noqa: E402
from loan_comms.paths import TEMPLATES_DIR  # noqa: E402
from loan_comms.templating import TemplateStore  # noqa: E402
from loan_comms.templating.env import PRODUCT_NAMES  # noqa: E402


def contexts(n: int, cfg) -> list[dict]:
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
            "promised_date": None, "language": "en",
        })
    return out


def timed(fn, n: int) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) / n


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    cfg = load_config()
    store = TemplateStore.load(TEMPLATES_DIR, cfg)
    ctxs = contexts(n, cfg)
    source = (TEMPLATES_DIR / "sms/en/pre_due_3.txt.j2").read_text(encoding="utf-8")

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["money"] = lambda v, c: format_currency(v, c, locale="en")
    env.filters["date"] = lambda d: format_date(d, "medium", locale="en")
    env.filters["product_name"] = lambda p: PRODUCT_NAMES["en"].get(p, "loan")
    default_tmpl = env.from_string(source)
    opt = "Reply STOP to opt out"

    def default() -> None:
        for c in ctxs:
            default_tmpl.render(c, opt_out_text=opt).strip()

    def ours() -> None:
        store.render_many("pre_due_3", "sms", "en", ctxs)

    names = PRODUCT_NAMES["en"]
    money = store.env("en", False).filters["money"]
    dfmt = store.env("en", False).filters["date"]

    def fstring() -> None:
        for c in ctxs:
            f"Hi {c['first_name']}, a reminder: your {names.get(c['product'], 'loan')} payment of " \
                f"{money(c['amount_due'], c['currency'])} is due on {dfmt(c['due_date'])}. Pay: {c['pay_link']} " \
                f"Need help or a plan? Call {c['help_line']}. {opt}"

    zh = [{**c, "language": "zh-CN"} for c in ctxs]

    def email_zh() -> None:
        store.render_many("pre_due_3", "email", "zh-CN", zh)

    # correctness first: the three SMS paths agree on the wording
    a = default_tmpl.render(ctxs[0], opt_out_text=opt).strip()
    b = store.render("pre_due_3", "sms", "en", ctxs[0]).text
    assert a == b, (a, b)

    print(f"render benchmark, {n:,} messages, median of 3, one core")
    print(f"{'path':<44}{'µs/msg':>10}{'msgs/s':>12}")
    for label, fn in (("default sandbox + babel (sms/en/pre_due_3)", default),
                      ("TemplateStore.render_many (sms/en/pre_due_3)", ours),
                      ("plain f-string, cached filters (floor)", fstring),
                      ("TemplateStore.render_many (email/zh-CN, 3 parts)", email_zh)):
        per = timed(fn, n)
        print(f"{label:<44}{per * 1e6:>10.2f}{1 / per:>12,.0f}")


if __name__ == "__main__":
    main()
