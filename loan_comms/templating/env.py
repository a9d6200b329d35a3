"""The Jinja environments templates run in: sandboxed, strict, fast, one per language and part kind.

Why one environment per (language, html?): filters are bound to the template's own locale (a
zh-CN template formats money the zh_CN way even when it is the fallback for another borrower), and
autoescaping is on for HTML parts only. Globals are emptied so that nothing but the documented
variables and filters is reachable from a template, and so that a render does not copy a globals
dict on every call (see /work/shared/stack-limits.md: 8.6 -> 4.4 µs per message).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable

from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision
from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from loan_comms.masking import mask_digits

# The variables every template may use, whatever its kind (the planner passes all of them).
# `opt_out_text` is derived by the store per (language, channel) unless the caller passes one.
ALLOWED_VARIABLES: dict[str, str] = {
    "first_name": "borrower's first name (or full name when unknown)",
    "full_name": "borrower's full name",
    "amount_due": "amount to pay now (a number); print it with |money(currency)",
    "currency": "ISO 4217 code of the loan, e.g. CNY, USD, GBP",
    "due_date": "due date of the oldest unpaid installment; print it with |date or |longdate",
    "days_past_due": "whole days past due (0 before and on the due date)",
    "product": "product code, e.g. personal_loan; print it with |product_name",
    "pay_link": "link where the borrower pays this loan",
    "help_line": "phone number for help or a repayment plan",
    "opt_out_text": "how to stop this channel, in the template's language (SMS must show it)",
    "survey_link": "link to the satisfaction survey",
    "loan_id_masked": "loan number with all but the last 4 digits hidden, e.g. ****1234",
    "promised_date": "date the borrower promised to pay (follow-ups), or empty",
    "language": "borrower's language code: zh-CN or en",
    "plan_link": "the repayment-plan offer's own link (offer contacts), or empty: then give the help line",
    "plan_options": "the plans offered, as a menu: each has no, label, kind, months, payment (the first), total, "
                    "equal (all payments the same: only then say N months of X), last, first_due, "
                    "needs_review (SMS: the first options that need no approval)",
    "arrears": "the overdue amount the plans are for (offer contacts), or empty; print it with |money(currency)",
    "plan": "the borrower's plan (arrangement contacts): label, kind, months, payment, schedule [{no, due_date, "
            "amount}], installments (how many), total, next_due_date, next_amount, decision_reason, currency, status; or "
            "empty",
}

LOCALES: dict[str, str] = {"zh-CN": "zh_CN", "en": "en"}

PRODUCT_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "personal_loan": "personal loan", "consumer_loan": "consumer loan", "auto_loan": "car loan",
        "car_loan": "car loan", "mortgage": "mortgage", "home_loan": "home loan",
        "credit_card": "credit card", "student_loan": "student loan", "business_loan": "business loan",
        "installment": "instalment plan", "cash_loan": "cash loan", "sme_loan": "business loan",
    },
    "zh-CN": {
        "personal_loan": "个人贷款", "consumer_loan": "消费贷款", "auto_loan": "汽车贷款",
        "car_loan": "汽车贷款", "mortgage": "住房贷款", "home_loan": "住房贷款",
        "credit_card": "信用卡", "student_loan": "助学贷款", "business_loan": "经营贷款",
        "installment": "分期付款", "cash_loan": "现金贷款", "sme_loan": "经营贷款",
    },
}
_GENERIC_PRODUCT = {"en": "loan", "zh-CN": "贷款"}


_ISO = re.compile(r"[A-Z]{3}")


class FilterError(ValueError):
    """A filter got a value it cannot format; the message names the filter, never the value."""


def _finalize(value: Any) -> Any:
    # A printed None would reach a borrower as the word "None": refuse it instead.
    if value is None:
        raise FilterError("a variable printed here is empty (None); guard it with {% if ... %}")
    return value


def _undefined_first(value: Any) -> None:
    """A missing variable reaching a filter is reported as missing (by name), not as a wrong type."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()


def _to_decimal(value: Any, where: str) -> Decimal:
    if type(value) is Decimal:
        return value
    _undefined_first(value)
    if isinstance(value, bool) or value is None:
        raise FilterError(f"{where}: expected a number, got {type(value).__name__}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise FilterError(f"{where}: expected a number, got {type(value).__name__}")


@lru_cache(maxsize=256)
def _currency_shape(locale: str, currency: str) -> tuple[int, str, str, str, str] | None:
    """(digits, prefix, suffix, neg_prefix, neg_suffix) matching babel, or None to always use babel."""
    try:
        digits = get_currency_precision(currency)
        probe = Decimal("1234567")
        number = f"{probe:,.{digits}f}"
        pos = format_currency(probe, currency, locale=locale)
        neg = format_currency(-probe, currency, locale=locale)
    except Exception:  # unknown currency/locale: let babel raise at render time with its message
        return None
    if pos.count(number) != 1 or neg.count(number) != 1:
        return None
    p1, s1 = pos.split(number)
    p2, s2 = neg.split(number)
    return digits, p1, s1, p2, s2


def make_money(locale: str) -> Callable[[Any, str], str]:
    """The `money` filter for one locale: babel's format_currency, at a fraction of its cost."""

    # Currencies already checked (an ISO code babel formats in a fixed shape), with that shape: a
    # day's messages use a handful, so each is checked once, not on every message (a regex per call
    # cost a third of the filter). At most 26**3 entries.
    shapes: dict[str, tuple[int, str, str, str, str]] = {}

    def money(value: Any, currency: str) -> str:
        amount = _to_decimal(value, "money")
        shape = shapes.get(currency) if type(currency) is str else None
        if shape is None:
            if not isinstance(currency, str) or not _ISO.fullmatch(currency):
                _undefined_first(currency)
                raise FilterError("money: currency must be an ISO 4217 code like 'CNY'")
            shape = _currency_shape(locale, currency)
            if shape is not None:
                shapes[currency] = shape
        if not amount.is_finite():
            raise FilterError("money: amount is not a finite number")
        if shape is None:
            try:
                return format_currency(amount, currency, locale=locale)
            except Exception as exc:
                raise FilterError(f"money: cannot format currency {currency}: {type(exc).__name__}") from None
        digits, p1, s1, p2, s2 = shape
        try:
            number = f"{abs(amount):,.{digits}f}"
        except (InvalidOperation, ValueError):
            raise FilterError("money: amount cannot be formatted") from None
        if amount < 0:
            return f"{p2}{number}{s2}"
        return f"{p1}{number}{s1}"

    return money


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    _undefined_first(value)
    raise FilterError(f"{where}: expected a date, got {type(value).__name__}")


def make_date(locale: str, fmt: str, name: str) -> Callable[[Any], str]:
    """A date filter for one locale and babel format ("medium" or "long"), cached per day."""

    @lru_cache(maxsize=4096)
    def _fmt(d: date) -> str:
        return format_date(d, fmt, locale=locale)

    def date_filter(value: Any) -> str:
        return _fmt(_as_date(value, name))

    return date_filter


def make_product_name(language: str) -> Callable[[Any], str]:
    """Human product name in one language; unknown codes read as a plain 'loan' rather than a code."""
    names = PRODUCT_NAMES[language]
    generic = _GENERIC_PRODUCT[language]

    def product_name(value: Any) -> str:
        return names.get(str(value), generic)

    return product_name


# Jinja built-in filters that are harmless on our data and useful for wording.
SAFE_BUILTIN_FILTERS = ("upper", "lower", "capitalize", "title", "trim", "default", "e", "escape",
                        "length", "abs", "round", "int", "replace", "truncate")


def build_environment(language: str, html: bool) -> ImmutableSandboxedEnvironment:
    """A sandboxed, strict environment for one language; autoescape only for HTML parts."""
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=_finalize,
        auto_reload=False,
        cache_size=0,
    )
    locale = LOCALES[language]
    builtin = {name: env.filters[name] for name in SAFE_BUILTIN_FILTERS}
    env.filters.clear()
    env.filters.update(builtin)
    env.filters.update(
        money=make_money(locale),
        date=make_date(locale, "medium", "date"),
        longdate=make_date(locale, "long", "longdate"),
        mask=mask_digits,
        product_name=make_product_name(language),
    )
    # Nothing reachable but the context: no range/cycler/joiner/namespace/lipsum, and no
    # per-render copy of a globals dict.
    env.globals.clear()
    return env
