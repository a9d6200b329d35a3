"""Sample borrowers every template is rendered with by lint and the preview gallery.

They cover what breaks wording: a short and a very long name (in both scripts), a large amount,
three currencies (CNY, USD, GBP), and overdue and not-yet-due situations. The situation (due date,
days past due, promised date) follows the template's kind, the way the planner fills it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from loan_comms.arrangements.config import OFFER_STEPS, STEPS
from loan_comms.config import LifecycleConfig
from loan_comms.masking import mask_loan_id

REFERENCE_DAY = date(2026, 11, 23)


@dataclass(frozen=True, slots=True)
class SampleBorrower:
    key: str
    label: str
    names: dict[str, tuple[str, str]]  # language -> (first_name, full_name)
    amount_due: Decimal
    currency: str
    product: str
    loan_id: str
    extra_dpd: int  # how far past a step's threshold this borrower is (0 = just reached it)


SAMPLE_BORROWERS: tuple[SampleBorrower, ...] = (
    SampleBorrower("short", "short name, CNY", {"en": ("Li", "Li Na"), "zh-CN": ("李娜", "李娜")},
                   Decimal("1280.00"), "CNY", "personal_loan", "LN20260001", 0),
    SampleBorrower("long", "long name, USD",
                   {"en": ("Maximiliana-Alexandra", "Maximiliana-Alexandra Fitzgerald-Montgomery-Worthington"),
                    "zh-CN": ("阿依古丽", "阿依古丽·买买提艾力·吐尔逊江")},
                   Decimal("356.75"), "USD", "auto_loan", "LN20260002777", 2),
    SampleBorrower("large", "large amount, GBP", {"en": ("Oliver", "Oliver Smith"),
                                                                 "zh-CN": ("王建国", "王建国")},
                   Decimal("1234567.89"), "GBP", "mortgage", "LN20260003", 95),
    SampleBorrower("accent", "accented name, small amount, USD", {"en": ("Chloé", "Chloé Martin"),
                                                                   "zh-CN": ("张伟", "张伟")},
                   Decimal("42.10"), "USD", "credit_card", "LN20260004", 1),
    SampleBorrower("unknown_product", "unknown product code, CNY", {"en": ("Wei", "Wei Zhang"),
                                                                     "zh-CN": ("欧阳娜娜", "欧阳娜娜")},
                   Decimal("9999.99"), "CNY", "new_product_2027", "LN20260005", 14),
)


@dataclass(frozen=True, slots=True)
class Sample:
    key: str
    label: str
    ctx: dict[str, Any]


def _situation(kind: str, b: SampleBorrower, cfg: LifecycleConfig) -> tuple[date | None, int, date | None, str]:
    """(due_date, days_past_due, promised_date, description) as the planner would pass them."""
    reminders = {r.step: r for r in cfg.reminders}
    ladder = {s.step: s for s in cfg.ladder}
    if kind in reminders:
        return REFERENCE_DAY + timedelta(days=reminders[kind].days_before_due), 0, None, "not yet due"
    if kind in ladder:
        dpd = ladder[kind].min_dpd + b.extra_dpd
        return REFERENCE_DAY - timedelta(days=dpd), dpd, None, f"{dpd} days overdue"
    if kind == "payment_confirmation":
        return None, 0, None, "payment received"
    if kind == "opt_out_confirmation":
        return None, 0, None, "opted out by reply"
    if kind == "broken_promise":
        dpd = 9 + b.extra_dpd
        return REFERENCE_DAY - timedelta(days=dpd), dpd, REFERENCE_DAY - timedelta(days=2), f"{dpd} days overdue"
    if kind == "forbearance_offer":
        dpd = 1 + b.extra_dpd
        return REFERENCE_DAY - timedelta(days=dpd), dpd, None, f"{dpd} days overdue"
    if b.extra_dpd == 0:  # hardship, survey and anything new: one borrower not overdue, the rest overdue
        return REFERENCE_DAY + timedelta(days=5), 0, None, "not yet due"
    dpd = 3 + b.extra_dpd
    return REFERENCE_DAY - timedelta(days=dpd), dpd, None, f"{dpd} days overdue"


def sample_contexts(kind: str, language: str, cfg: LifecycleConfig) -> list[Sample]:
    """One context per sample borrower, with exactly the variables the planner passes."""
    out: list[Sample] = []
    for b in SAMPLE_BORROWERS:
        first, full = b.names.get(language, b.names["en"])
        due, dpd, promised, situation = _situation(kind, b, cfg)
        ctx: dict[str, Any] = {
            "first_name": first,
            "full_name": full,
            "amount_due": b.amount_due,
            "currency": b.currency,
            "due_date": due,
            "days_past_due": dpd,
            "product": b.product,
            "pay_link": f"{cfg.general.pay_link_base}{b.loan_id}",
            "help_line": cfg.general.help_line,
            "survey_link": f"{cfg.general.survey_link_base}{b.loan_id}",
            "loan_id_masked": mask_loan_id(b.loan_id),
            "promised_date": promised,
            "language": language,
            **_plan_sample(kind, language, b, cfg),
        }
        out.append(Sample(b.key, f"{b.label}, {situation}", ctx))
    return out


def _plan_sample(kind: str, language: str, b: SampleBorrower, cfg: LifecycleConfig) -> dict[str, Any]:
    """plan_link / plan_options / arrears (offer steps) and plan (arrangement steps), as offers.py fills
    them: three options, the largest amounts the borrower's arrears make."""
    zh = language == "zh-CN"
    third = (b.amount_due / 3).quantize(Decimal("0.01"))
    options: list[dict[str, Any]] = [
        dict(no=1, label="暂停还款1个月" if zh else "1-month payment break", kind="payment_holiday", months=1,
             payment=Decimal("0.00"), total=Decimal("0.00"), first_due=None, needs_review=False, equal=True,
             last=Decimal("0.00")),
        dict(no=2, label="欠款分3个月还" if zh else "Arrears over 3 months", kind="respread", months=3,
             payment=third, total=b.amount_due, first_due=REFERENCE_DAY + timedelta(days=30), needs_review=False,
             equal=third * 3 == b.amount_due, last=b.amount_due - 2 * third),
        dict(no=3, label="欠款分6个月还" if zh else "Arrears over 6 months", kind="respread", months=6,
             payment=(b.amount_due / 6).quantize(Decimal("0.01")), total=b.amount_due,
             first_due=REFERENCE_DAY + timedelta(days=30), needs_review=False, equal=False,
             last=b.amount_due - 5 * (b.amount_due / 6).quantize(Decimal("0.01"))),
    ]
    out: dict[str, Any] = {"plan_link": None, "plan_options": [], "arrears": None, "plan": None}
    if kind in OFFER_STEPS:
        out.update(plan_link=f"{cfg.arrangements.link_base}Xq3vR9tLm2Kp8sWz4YbN1c", plan_options=options,
                   arrears=b.amount_due)
    if kind in STEPS:
        schedule = [dict(no=k, due_date=REFERENCE_DAY + timedelta(days=30 * k), amount=third) for k in (1, 2, 3)]
        out["plan"] = dict(label=options[1]["label"], kind="respread", months=3, payment=third, schedule=schedule,
                           next_due_date=schedule[0]["due_date"], next_amount=third, total=third * 3, installments=3,
                           decision_reason="收入证明不足" if zh else "the income shown does not cover the payments",
                           currency=b.currency, status="active")
    return out
