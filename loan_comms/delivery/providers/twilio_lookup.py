"""Did Twilio get it? Reconciling an ambiguous SMS send with Twilio's Message list.

Twilio's Messages API does not deduplicate: a request that timed out, lost its answer or got a 5xx
may have created a message, and sending again would text the borrower twice. So before any new
try we ask Twilio: `GET /2010-04-01/Accounts/{sid}/Messages.json?To=<number>` (newest first, paged
by `next_page_uri`), and read back our own outbound messages to that number since the request.

Matching, on the safe side:
- an outbound message of that account to that number, created no earlier than the request (less a
  clock skew), whose id no contact has yet, and whose body is ours (compared after Twilio's own
  rewrites: Smart Encoding of quotes and dashes, whitespace, a trial-account prefix) proves the
  send: `found`, with its sid and, when final, its status. Any sender counts (the sender may have
  been changed in the config since);
- an unattributed outbound message to that number since the request with some other body cannot be
  explained away: `uncertain`, never re-sent on a guess;
- nothing at all, once `reconcile_after_seconds` have passed since the request (a request still
  being processed when it timed out has then long been created): `absent`, sent again;
- a send made through another account than the one configured now: `uncertain` (this account's
  list cannot show it).

The whole list for the number is read (PageSize 1000, every page up to MAX_PAGES), not filtered by
`DateSent` and not cut at the first old message: Twilio orders the list by date sent, and a message
still queued (a throttled sender can hold one for hours) has no date_sent yet, so it could sit
anywhere. One number's history is a few dozen messages: one page.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Sequence

import httpx

from loan_comms.delivery.reconcile_model import Unresolved, Verdict

if TYPE_CHECKING:  # pragma: no cover
    from loan_comms.delivery.providers.twilio import TwilioProvider

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=2)   # Twilio's clock against ours
MAX_PAGES = 10                      # pages of 1,000 messages to one number; beyond that: uncertain
_TRIAL_PREFIX = "sent from your twilio trial account - "
# Twilio Smart Encoding turns these into GSM-7 look-alikes; compare bodies on the same footing.
_SMART = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'",
                        "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-"})
_FINAL = {"delivered": "delivered", "read": "delivered", "undelivered": "failed", "failed": "failed",
          "canceled": "failed"}


def same_body(ours: str | None, theirs: str | None) -> bool:
    """Our body and the one Twilio lists are the same message (after Twilio's rewrites)."""
    a, b = _norm(ours), _norm(theirs)
    if b.startswith(_TRIAL_PREFIX):
        b = b[len(_TRIAL_PREFIX):]
    return bool(a) and (a == b)


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", (text or "")).translate(_SMART).split()).casefold()


def _created(message: dict[str, Any]) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message.get("date_created") or ""))
    except (TypeError, ValueError):
        return None


@dataclass
class TwilioLookup:
    """Reads Twilio's Message list with the sending provider's own address, credentials and sender."""

    provider: "TwilioProvider"

    async def listings(self, items: Sequence[Unresolved]) -> dict[str, list[dict[str, Any]] | str]:
        """Per number of `items`: our messages Twilio lists to it since the earliest request, or why
        the list could not be read. Numbers are looked up concurrently."""
        by_number: dict[str, list[Unresolved]] = {}
        for it in items:   # a send through another account is never judged from this one's list: not asked
            if it.recipient and not (it.account and it.account != self.provider.account_id):
                by_number.setdefault(it.recipient, []).append(it)
        s = self.provider.settings
        limits = httpx.Limits(max_connections=s.per_client, max_keepalive_connections=s.per_client)
        sem = asyncio.Semaphore(max(1, s.per_client))
        async with httpx.AsyncClient(base_url=s.base_url, timeout=s.timeout_seconds, limits=limits) as client:
            async def one(number: str, group: list[Unresolved]) -> list[dict[str, Any]] | str:
                async with sem:
                    try:
                        return await self._list(client, number, min(it.requested_at for it in group) - CLOCK_SKEW)
                    except _LookupFailed as exc:
                        return str(exc)

            numbers = list(by_number)
            outs = await asyncio.gather(*(one(n, by_number[n]) for n in numbers))
        return dict(zip(numbers, outs))

    def verdicts(self, items: Sequence[Unresolved], listings: dict[str, list[dict[str, Any]] | str],
                 known: set[str], wall_now: datetime, wait_seconds: float) -> list[Verdict]:
        """One verdict per item from the listings; `known`: listed ids some contact already has."""
        out: dict[str, Verdict] = {}
        account = self.provider.account_id
        for it in items:
            if it.account and it.account != account:
                out[it.attempt_id] = Verdict(it.attempt_id, "uncertain", error=(
                    "outcome unknown: sent through another Twilio account than the one configured now; "
                    "its list cannot show the message, so it is not sent again"))
        by_number: dict[str, list[Unresolved]] = {}
        for it in (it for it in items if it.attempt_id not in out):
            by_number.setdefault(it.recipient or "", []).append(it)
        for number, group in by_number.items():
            listed = listings.get(number, "no recipient to look up") if number else "no recipient to look up"
            if isinstance(listed, str):
                out.update((it.attempt_id, Verdict(it.attempt_id, "uncertain", error=(
                    f"outcome unknown: Twilio lookup failed ({listed}); asked again next pass"))) for it in group)
            else:
                out.update((v.attempt_id, v) for v in self._judge(group, listed, known, wall_now, wait_seconds))
        return [out[it.attempt_id] for it in items]

    async def _list(self, client: httpx.AsyncClient, number: str, since: datetime) -> list[dict[str, Any]]:
        """The account's outbound messages to `number` created since `since` (every page read)."""
        p = self.provider
        url: str | None = p.messages_path
        params: dict[str, str] | None = {"To": number, "PageSize": "1000"}
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            await p.limiter.take()
            try:
                r = await client.get(url, params=params, headers={"Authorization": p.auth_header,
                                                                  "Accept": "application/json"})
            except httpx.HTTPError as exc:
                raise _LookupFailed(type(exc).__name__) from None
            if r.status_code != 200:
                raise _LookupFailed(f"HTTP {r.status_code}")
            try:
                doc = r.json()
                page = list(doc.get("messages") or [])
            except (ValueError, AttributeError, TypeError):
                raise _LookupFailed("unreadable list") from None
            for m in page:
                created = _created(m)
                if str(m.get("direction") or "outbound").startswith("outbound") and (created is None or created >= since):
                    found.append(m)
            nxt = doc.get("next_page_uri")
            url, params = (str(nxt), None) if nxt and page else (None, None)
        raise _LookupFailed(f"more than {MAX_PAGES} pages of messages to one number")

    @staticmethod
    def _judge(group: list[Unresolved], listed: list[dict[str, Any]], known: set[str], wall_now: datetime,
               wait_seconds: float) -> list[Verdict]:
        candidates = sorted((m for m in listed if m.get("sid") and m["sid"] not in known),
                            key=lambda m: _created(m) or wall_now)   # oldest first
        used: set[str] = set()
        out: dict[str, Verdict] = {}
        for it in sorted(group, key=lambda i: i.requested_at):
            for m in candidates:
                created = _created(m)
                if m["sid"] in used or (created is not None and created < it.requested_at - CLOCK_SKEW):
                    continue
                if same_body(it.body_text, m.get("body")):
                    used.add(m["sid"])
                    status = _FINAL.get(str(m.get("status") or ""))
                    error = None
                    if status == "failed":
                        error = f"twilio {m.get('error_code') or ''}: {m.get('status')} (found by reconciliation)".strip()
                    out[it.attempt_id] = Verdict(it.attempt_id, "found", provider_message_id=str(m["sid"]),
                                                 status=status, error=error)
                    break
        leftover = [m for m in candidates if m["sid"] not in used]
        for it in group:
            if it.attempt_id in out:
                continue
            since = it.requested_at - CLOCK_SKEW
            unexplained = [m for m in leftover if (_created(m) or wall_now) >= since]
            waited = (wall_now - it.requested_at).total_seconds()
            if unexplained:
                out[it.attempt_id] = Verdict(it.attempt_id, "uncertain", error=(
                    "outcome unknown: Twilio lists a message to this number since the request that no contact "
                    "explains; not sent again"))
            elif waited >= wait_seconds:
                out[it.attempt_id] = Verdict(it.attempt_id, "absent", error=(
                    f"reconciled: Twilio has no such message {waited:.0f}s after the request; planned again "
                    "(sent if its window allows)"))
            else:
                out[it.attempt_id] = Verdict(it.attempt_id, "uncertain", error=(
                    f"outcome unknown: not listed by Twilio yet; concluded {wait_seconds:g}s after the request"))
        return [out[it.attempt_id] for it in group]


class _LookupFailed(Exception):
    """The list could not be read this time (network, HTTP status, shape): no conclusion."""
