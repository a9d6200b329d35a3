"""Checks for contact data (phones, emails, timezones, languages, currencies) shared by every importer.

Each check returns the reason a value is refused (or None when it is fine) so callers can quarantine
the row with a message an operator can act on. Reasons never contain the full value: phones and
emails are masked, because quarantine reasons end up in reports and logs.
Bulk callers validate the DISTINCT values once (see `check_phones`) and join the result back in SQL.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Iterable

import phonenumbers

from loan_comms.masking import mask_email, mask_phone

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
JURISDICTIONS: tuple[str, ...] = ("cn", "us", "uk", "default")

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the provider's job;
# this only stops obvious garbage (names, phone numbers, "n/a") from being used as an address.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# The same rule for DuckDB's regexp_full_match (kept side by side so they cannot drift apart).
EMAIL_SQL_RE = r"[^@\s]+@[^@\s]+\.[^@\s.]+"


def normalise_phone(phone: str) -> tuple[str | None, str | None]:
    """(E.164 form, None) for a valid international number, else (None, reason).

    Spaces, dashes and brackets are tolerated ('+86 138-1234-5678'), but the number must start with
    '+' and its country code: an export has no reliable default region to guess one from.
    """
    raw = phone.strip()
    if not raw.startswith("+"):
        return None, f"malformed phone {mask_phone(raw)}: must start with + and the country code (E.164)"
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as exc:
        return None, f"malformed phone {mask_phone(raw)}: {exc}"
    if not phonenumbers.is_valid_number(parsed):
        return None, f"malformed phone {mask_phone(raw)}: not a valid number for its country code"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def phone_problem(phone: str | None) -> str | None:
    """Why a phone is refused, or None. An empty phone is not a problem (the borrower has none)."""
    if phone is None or not phone.strip():
        return None
    return normalise_phone(phone)[1]


def is_valid_e164(phone: str | None) -> bool:
    """True when `phone` is already a valid number written exactly in E.164 ('+8613812345678')."""
    if not phone:
        return False
    e164, problem = normalise_phone(phone)
    return problem is None and e164 == phone


def check_phones(phones: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Validate many phones at once: {raw: (e164 or None, reason or None)}; each distinct value parsed once."""
    return {p: normalise_phone(p) for p in set(phones) if p is not None and p.strip()}


def email_problem(email: str | None) -> str | None:
    """Why an email is refused, or None. An empty email is not a problem (the borrower has none)."""
    if email is None or not email.strip():
        return None
    if not EMAIL_RE.match(email.strip()):
        return f"malformed email {mask_email(email)}"
    return None


@functools.cache
def known_timezones() -> frozenset[str]:
    """IANA names both Python (zoneinfo, tzdata) and DuckDB (ICU) can convert: local days need both."""
    names = set(zoneinfo.available_timezones())
    try:
        import duckdb

        from loan_comms import db

        con = duckdb.connect()
        try:
            duck = {r[0] for r in db.run(con, "book/duckdb_timezones").fetchall()}
        finally:
            con.close()
        names &= duck
    except Exception:  # pragma: no cover - ICU missing: zoneinfo alone decides
        pass
    return frozenset(names)


def timezone_problem(tz: str | None) -> str | None:
    """Why a timezone is refused, or None. Only IANA names (Asia/Shanghai), not offsets or abbreviations."""
    if tz is None or not tz.strip():
        return "missing timezone"
    name = tz.strip()
    if name not in known_timezones() or ("/" not in name and name != "UTC"):
        return f"unknown IANA timezone {name!r}"
    return None


def language_problem(language: str | None) -> str | None:
    """Why a language is refused, or None: templates exist for zh-CN and en only."""
    if language is None or not language.strip():
        return "missing language"
    if normalise_language(language) is None:
        return f"language {language.strip()!r} is not zh-CN or en"
    return None


def normalise_language(language: str) -> str | None:
    """'ZH-cn' -> 'zh-CN', 'EN' -> 'en'; anything else -> None."""
    by_lower = {lang.lower(): lang for lang in LANGUAGES}
    return by_lower.get(language.strip().lower())


@functools.cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes babel can format (templates format amounts with babel)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def currency_problem(currency: str | None) -> str | None:
    """Why a currency code is refused, or None."""
    if currency is None or not currency.strip():
        return "missing currency"
    if currency.strip().upper() not in known_currencies():
        return f"unknown currency {currency.strip()!r} (ISO 4217 code expected, e.g. CNY)"
    return None
