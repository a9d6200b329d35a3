"""The HTTP sending engine every gateway provider shares: concurrency, rate limit, retries.

- Bounded concurrency spread over several httpx.AsyncClients of modest size each: one client's
  pool slows as its concurrency grows (measured ~1,100 req/s at 10 in flight, 330 at 200).
- A per-provider rate limit (`rate_per_second`), evenly spaced, retries included.
- Transient faults (429 honouring Retry-After, 408, 5xx, connect/read errors and timeouts) are
  retried with exponential backoff and jitter, at most `max_tries` per pass; after that the
  contact stays planned for the next pass (inside its window only: the re-check sees to that).
- Permanent 4xx -> failed with the provider's error (PII masked). 401/403 stop the provider for
  the rest of the pass and leave its messages planned: bad credentials are not the borrower's fault.
- Every request carries the contact's idempotency key, so a retry or a re-run after a crash is
  deduplicated by the provider instead of sent twice.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Mapping, Sequence

import httpx

from loan_comms.providers.base import OutMessage, SendResult, mask_pii
from loan_comms.providers.secrets import redact

log = logging.getLogger(__name__)


class ProviderConfigError(ValueError):
    """A provider setting that cannot be used; names the config key (never a secret value)."""


@dataclass(frozen=True)
class HttpSettings:
    """Transport settings, from `[providers.<channel>]` extra keys (defaults suit a real gateway)."""

    base_url: str
    timeout_seconds: float = 10.0
    max_tries: int = 4
    max_in_flight: int = 32
    per_client: int = 8
    rate_per_second: float | None = None
    backoff_base_seconds: float = 0.25
    backoff_max_seconds: float = 8.0
    max_retry_after_seconds: float = 30.0

    @classmethod
    def from_extra(cls, channel: str, base_url: str | None, extra: Mapping[str, Any]) -> "HttpSettings":
        if not base_url:
            raise ProviderConfigError(
                f"providers.{channel}.base_url: required for an HTTP provider "
                f"(or set LOAN_COMMS_{channel.upper()}_BASE_URL)")
        if not base_url.startswith(("http://", "https://")):
            raise ProviderConfigError(f"providers.{channel}.base_url: must start with http:// or https://")
        values: dict[str, Any] = {"base_url": base_url.rstrip("/")}
        for name, typ in (("timeout_seconds", float), ("max_tries", int), ("max_in_flight", int),
                          ("per_client", int), ("rate_per_second", float), ("backoff_base_seconds", float),
                          ("backoff_max_seconds", float), ("max_retry_after_seconds", float)):
            if extra.get(name) is None:
                continue
            try:
                v = typ(extra[name])
            except (TypeError, ValueError):
                raise ProviderConfigError(f"providers.{channel}.{name}: {extra[name]!r} is not a number") from None
            if v <= 0:
                raise ProviderConfigError(f"providers.{channel}.{name}: must be greater than 0")
            values[name] = v
        return cls(**values)


@dataclass(frozen=True)
class Request:
    """One HTTP request for a unit (a message, or a batch for webhook batch mode)."""

    path: str
    headers: dict[str, str]
    content: bytes


class RateLimiter:
    """Evenly spaced sends at `rate` per second (a token bucket of depth one), across batches."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0

    async def take(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        at = max(now, self._next)
        self._next = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


class HttpProvider:
    """Base for gateway providers: subclasses say how to build a request and read a response."""

    name = "http"
    batch_size = 1  # messages per request

    def __init__(self, channel: str, settings: HttpSettings) -> None:
        self.channel = channel
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_per_second)
        self.auth_rejected: str | None = None
        self._urls: dict[str, httpx.URL] = {}

    # -- what subclasses provide --------------------------------------------------------
    def build(self, unit: Sequence[OutMessage]) -> Request:
        raise NotImplementedError

    def accepted(self, unit: Sequence[OutMessage], response: httpx.Response) -> list[SendResult]:
        raise NotImplementedError

    def error_text(self, response: httpx.Response) -> str:
        """The provider's own error message from a 4xx/5xx body (masked, shortened)."""
        try:
            doc = response.json()
        except ValueError:
            return mask_pii(response.text[:200])
        return mask_pii(str(doc)[:200])

    # -- engine -------------------------------------------------------------------------
    def persist(self, con: Any, messages: Sequence[OutMessage], results: Sequence[SendResult], now: datetime) -> None:
        """Nothing to store locally: the gateway holds the message."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channel} -> {self.settings.base_url})"

    async def send(self, messages: Sequence[OutMessage]) -> list[SendResult]:
        if not messages:
            return []
        units = [messages[i:i + self.batch_size] for i in range(0, len(messages), self.batch_size)]
        s = self.settings
        in_flight = max(1, min(s.max_in_flight, len(units)))
        n_clients = max(1, math.ceil(in_flight / s.per_client))
        limits = httpx.Limits(max_connections=s.per_client, max_keepalive_connections=s.per_client)
        clients = [httpx.AsyncClient(base_url=s.base_url, timeout=s.timeout_seconds, limits=limits)
                   for _ in range(n_clients)]
        results: list[SendResult] = []
        pending = iter(units)

        async def worker(client: httpx.AsyncClient) -> None:
            for unit in pending:  # a shared iterator: each unit goes to exactly one worker
                results.extend(await self._send_unit(client, unit))

        try:
            await asyncio.gather(*(worker(clients[i % n_clients]) for i in range(in_flight)))
        finally:
            await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
        return results

    async def _send_unit(self, client: httpx.AsyncClient, unit: Sequence[OutMessage]) -> list[SendResult]:
        s = self.settings
        request = self.build(unit)
        tries, last = 0, "not tried"
        while tries < s.max_tries:
            if self.auth_rejected:
                last = self.auth_rejected
                break
            await self.limiter.take()
            tries += 1
            wait = self._backoff(tries)
            try:
                response = await client.post(self._url(request.path), content=request.content, headers=request.headers)
            except httpx.TimeoutException as exc:
                last = f"transient: timeout ({type(exc).__name__})"
            except httpx.TransportError as exc:  # connect errors, resets, lost responses
                last = f"transient: network error ({type(exc).__name__})"
            except httpx.HTTPError as exc:       # anything else httpx raises: retry, never lose it
                last = f"transient: {type(exc).__name__}"
            else:
                code = response.status_code
                if 200 <= code < 300:
                    return [self._with_tries(r, tries) for r in self.accepted(unit, response)]
                if code == 429:
                    retry_after = _retry_after_seconds(response.headers.get("retry-after"))
                    last = f"transient: 429 rate limited (Retry-After {retry_after:g}s)"
                    if retry_after > s.max_retry_after_seconds:
                        break
                    wait = max(wait, retry_after)
                elif code in (401, 403):
                    self.auth_rejected = f"transient: {code} provider rejected our credentials; check the secrets"
                    last = self.auth_rejected
                    log.error("%s: %s", self.name, self.auth_rejected)
                    break
                elif code == 408 or code >= 500:
                    last = f"transient: {code} {self.error_text(response)}"
                else:
                    error = redact(f"{code} {self.error_text(response)}")
                    return [SendResult(m.attempt_id, "failed", error=error, tries=tries) for m in unit]
            if tries < s.max_tries:
                await asyncio.sleep(wait)
        error = redact(last)
        return [SendResult(m.attempt_id, "retry", error=error, tries=tries) for m in unit]

    def _url(self, path: str) -> httpx.URL:
        """Absolute URL, parsed once per path: httpx re-parses a string URL on every request."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self.settings.base_url + path)
        return url

    def _backoff(self, tries: int) -> float:
        """Exponential backoff with jitter: base * 2^(n-1), capped, times a random 0.5..1."""
        s = self.settings
        return min(s.backoff_max_seconds, s.backoff_base_seconds * 2 ** (tries - 1)) * random.uniform(0.5, 1.0)

    @staticmethod
    def _with_tries(r: SendResult, tries: int) -> SendResult:
        return SendResult(r.attempt_id, r.outcome, r.provider_message_id, r.error, tries)


def _retry_after_seconds(value: str | None) -> float:
    """Retry-After as seconds: either delta-seconds or an HTTP date; unparseable means 1 s."""
    if not value:
        return 1.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
