"""Masking personal data, in one place: phones, e-mail addresses and loan numbers.

Text that leaves the contact log (quarantine reasons, provider errors, alerts, reports, template
previews) must let an operator tell two values apart without being able to dial, mail or identify
anyone. Each shape has one function here; every caller uses them, so a change of policy is one edit.
E-mail addresses always keep their first character and domain: 'wang.wei@example.com' -> 'w***@example.com'.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

# Addresses and phone numbers inside free text (errors, alert reasons), and any run of digits
# (ids, phones) inside a value shown in a template. A phone does not start inside a number, and an
# ISO date (2026-11-01, Twilio's API version 2010-04-01 in every URL) is not a phone: logs and
# reasons keep their dates readable.
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?<!\d-)(?!(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-]))\+?\d[\d \-()]{6,}\d")
# A URL-encoded run (a query value or path segment) holding '+' (%2B) or '@' (%40): how a phone
# number or an address appears in a URL a library logs ('To=%2B12025550123', 'a%40example.com').
# '+' itself ends a run: in a query it is an encoded space.
_URL_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2}|[\w.~-])*%(?:2[Bb]|40)(?:%[0-9A-Fa-f]{2}|[\w.~-])*")
_EMAIL_IN_VALUE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")
_DIGIT_RUN = re.compile(r"\d[\d\s-]{3,}\d")


def _email_shape(first: str, domain: str) -> str:
    return f"{first}***@{domain}"


def mask_phone(phone: str | None) -> str:
    """'+8613812345678' -> '+86*******5678': enough to tell numbers apart in a report, not to dial."""
    if not phone:
        return "<none>"
    p = phone.strip()
    if len(p) <= 6:
        return "*" * len(p)
    return p[:3] + "*" * (len(p) - 7) + p[-4:]


def mask_email(email: str | None) -> str:
    """'wang.wei@example.com' -> 'w***@example.com'; a value without '@' keeps its first character."""
    if not email:
        return "<none>"
    e = email.strip()
    local, at, domain = e.partition("@")
    if not at:
        return (e[:1] + "***") if e else "<none>"
    return _email_shape(local[:1], domain)


def _mask_plain(text: str) -> str:
    text = _EMAIL_IN_TEXT.sub(lambda m: _email_shape(m.group(0)[0], m.group(0).split("@", 1)[1]), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-2:], text)


def _mask_url_run(m: re.Match[str]) -> str:
    """One URL-encoded run, decoded, masked and encoded again (unchanged when it holds no PII)."""
    run = m.group(0)
    plain = unquote(run)
    masked = _mask_plain(plain)
    return run if masked == plain else quote(masked, safe="*._-~")


def mask_pii(text: str) -> str:
    """Mask phone numbers and e-mail addresses in text bound for logs, errors or reports
    (a phone keeps its first 3 and last 2 characters), URL-encoded ones too: a URL echoed by a
    library ('?To=%2B12025550123' -> '?To=%2B12****23', 'a%40example.com' -> 'a***%40example.com')."""
    if not text:
        return text
    return _mask_plain(_URL_RUN.sub(_mask_url_run, text))


def mask_digits(value: Any, keep: int = 4) -> str:
    """Hide e-mail local parts and all but the last `keep` digits of any digit run (ids, phones):
    the templates' `mask` filter."""
    text = "" if value is None else str(value)
    text = _EMAIL_IN_VALUE.sub(lambda m: _email_shape(m.group(1), m.group(2)), text)

    def _digits(m: re.Match[str]) -> str:
        run = m.group(0)
        digits = [c for c in run if c.isdigit()]
        hide = max(len(digits) - keep, 0)
        out, seen = [], 0
        for c in run:
            if c.isdigit():
                out.append("*" if seen < hide else c)
                seen += 1
            else:
                out.append(c)
        return "".join(out)

    return _DIGIT_RUN.sub(_digits, text)


def mask_loan_id(loan_id: str) -> str:
    """'L000123456' -> '****3456': the loan number a message may show (template variable loan_id_masked)."""
    return "****" + loan_id[-4:]
