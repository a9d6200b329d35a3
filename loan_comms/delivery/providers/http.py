"""The HTTP sending engine every gateway provider shares: concurrency, rate limit, retries.

- Requests go out through aiohttp (pinned in pyproject), bounded concurrency spread over sessions
  of `per_client` connections each. Why not httpx, as the rest of the package uses: its connection
  pool does work proportional to connections x waiting requests on every request (encode/httpx#3215),
  so a pass topped out near 1,700 messages/s, 14 % of what the gateway could take; aiohttp's client
  costs a fraction of that per request (bench/dispatch.py measures both in one run). The request
  each provider builds (path, headers, body) is sent byte for byte as before; redirects are not
  followed and the environment's proxy settings apply, as with httpx.
- A per-provider rate limit (`rate_per_second`), evenly spaced, retries included.
- Real providers (Twilio Messages, SendGrid mail/send) do not deduplicate by any header, so only
  a try that certainly did not reach the provider is retried: the connection could not be made
  (refused, DNS, connect timeout, a proxy that refused it), 429 (honouring
  Retry-After) and 408 (the provider says it never got the whole request). Exponential backoff
  with jitter, at most `max_tries` per pass; after that the contact stays planned for the next
  pass (inside its window only: the re-check sees to that).
- A try that may have reached the provider (no answer in time after the request was written, the
  connection reset or closed after sending, a 5xx, a 2xx we cannot read) is *ambiguous*: never
  retried, the contact ends `unknown` (recorded as sent, outcome_unknown, no provider id) and waits
  for a receipt or reconciliation. It may have reached the borrower, so it counts for caps.
- Permanent 4xx -> failed with the provider's error (PII masked). `outage_after` of them in a row
  with nothing accepted in the pass halt the channel too (a wrong sender, a suspended account).
- 401/403 (credentials) and 404/405 (no send endpoint at base_url) halt the channel for the rest
  of the pass, and so does an outage (`outage_after` tries in a row that got nothing through):
  its messages stay planned and dispatch raises DeliveryHalted (one line) after the pass.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import random
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Mapping, Sequence

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
import certifi
import httpx
from yarl import URL

from loan_comms.delivery.providers.base import OutMessage, SendResult
from loan_comms.delivery.providers.errors import (DeliveryHalted, credentials_refused, no_such_endpoint, outage,
                                                   rejecting_everything)
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.secrets import redact
from loan_comms.errors import LoanCommsError

log = logging.getLogger(__name__)


class ProviderConfigError(LoanCommsError, ValueError):
    """A provider setting that cannot be used; names the config key (never a secret value)."""

    exit_code = 2


@dataclass(frozen=True)
class HttpSettings:
    """Transport settings, from `[providers.<channel>]` extra keys (defaults suit a real gateway)."""

    base_url: str
    timeout_seconds: float = 10.0
    max_tries: int = 4
    max_in_flight: int = 32
    per_client: int = 8
    rate_per_second: float | None = None
    rate_offset_seconds: float = 0.0   # the first send of a pass waits this long (a shard's turn, shards/dispatch.py)
    backoff_base_seconds: float = 0.25
    backoff_max_seconds: float = 8.0
    max_retry_after_seconds: float = 30.0
    outage_after: int = 5          # tries in a row that got nothing through: stop the channel
    # A pass where nothing got through is an outage from this many tries on (one lost answer in a
    # one-message pass is not); raise it where faults are frequent by design (a fault-injecting gateway).
    outage_min_tries: int = 2
    reconcile_after_seconds: float | None = None   # wait before an unknown send absent at the provider is sent again

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
                          ("backoff_max_seconds", float), ("max_retry_after_seconds", float),
                          ("outage_after", int), ("outage_min_tries", int), ("reconcile_after_seconds", float),
                          ("rate_offset_seconds", float)):
            if extra.get(name) is None:
                continue
            try:
                v = typ(extra[name])
            except (TypeError, ValueError):
                raise ProviderConfigError(f"providers.{channel}.{name}: {extra[name]!r} is not a number") from None
            if v < 0 or (v == 0 and name not in ("reconcile_after_seconds", "rate_offset_seconds")):
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
    """Evenly spaced sends at `rate` per second (a token bucket of depth one), across batches; the
    first one `offset` seconds after the first take (K shards sending at rate/K each take turns
    instead of all sending their first message at once)."""

    def __init__(self, rate: float | None, offset: float = 0.0) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.offset = offset
        self._next: float | None = None

    async def take(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self._next is None:
            self._next = now + self.offset
        at = max(now, self._next)
        self._next = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


# The request never left this machine complete: trying again cannot send it twice (httpx: the
# dialer hand-off and the plan export; aiohttp: the providers here).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout,
             httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.ProxyError)
# No connection (refused, DNS, TLS handshake, proxy), none free in time (`connect` covers the wait for
# one from the pool), or a URL that cannot be requested. Anything else once a request was under way
# (a reset, a closed connection, a write that failed) may have reached the provider: ambiguous.
_NOT_SENT_AIO = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.ClientHttpProxyError,
                 aiohttp.InvalidURL)
AMBIGUOUS = "outcome unknown"   # how every ambiguous try's error starts


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer as the providers read it: status, headers (case-insensitive), body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def answer_text(response: httpx.Response) -> str:
    """The first 160 characters of an error answer's body, on one line, personal data and secrets
    masked: what a one-line error may say about a refusal (the dialer hand-off, the plan export)."""
    try:
        text = response.text
    except Exception:   # a body we cannot decode says nothing useful
        return ""
    return redact(mask_pii(" ".join(text.split())[:160]))
_NOT_RETRIED = "not retried: it may have reached the borrower; waits for a receipt or reconciliation"


class HttpProvider:
    """Base for gateway providers: subclasses say how to build a request and read a response."""

    name = "http"
    batch_size = 1  # messages per request
    claims = True   # remote: each batch is claimed (committed in flight) before its requests leave
    default_reconcile_after = 300.0   # seconds; see reconcile_after
    credentials_hint = "the provider's secrets"   # what to check after a 401/403

    def __init__(self, channel: str, settings: HttpSettings) -> None:
        self.channel = channel
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_per_second, settings.rate_offset_seconds)
        self.halted: DeliveryHalted | None = None   # set once: the channel is stopped for this pass
        self.answered = 0                           # units the provider gave a definite answer for
        self.down_tries = 0                         # tries that got nothing through (connect, 5xx, timeout)
        self._down_in_a_row = 0
        self.accepted_units = 0                     # units the provider accepted (2xx)
        self._refused_in_a_row = 0                  # definite 4xx refusals since the last acceptance
        self._last_down: tuple[str, int | None] = ("", None)
        self._urls: dict[str, URL] = {}
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    # -- what subclasses provide --------------------------------------------------------
    def build(self, unit: Sequence[OutMessage]) -> Request:
        raise NotImplementedError

    def accepted(self, unit: Sequence[OutMessage], response: Answer) -> list[SendResult]:
        raise NotImplementedError

    def error_text(self, response: Answer) -> str:
        """The provider's own error message from a 4xx/5xx body (masked, shortened)."""
        try:
            doc = response.json()
        except ValueError:
            return mask_pii(response.text[:200])
        return mask_pii(str(doc)[:200])

    @staticmethod
    def unreadable(unit: Sequence[OutMessage], response: Answer) -> list[SendResult]:
        """A 2xx whose body does not say what became of the message: accepted, but not provably."""
        return [SendResult(m.attempt_id, "unknown", error=f"{AMBIGUOUS}: {response.status_code} answer without "
                           f"a message id; {_NOT_RETRIED}") for m in unit]

    # -- engine -------------------------------------------------------------------------
    def persist(self, con: Any, messages: Sequence[OutMessage], results: Sequence[SendResult], now: datetime) -> None:
        """Nothing to store locally: the gateway holds the message."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channel} -> {self.settings.base_url})"

    @property
    def reconcile_after(self) -> float:
        """Seconds after an ambiguous request before the provider's silence counts as absence
        (`reconcile_after_seconds`, else the provider's default): longer than the provider can take
        to create a message it got, and for event-based proof, than its events take to arrive."""
        s = self.settings.reconcile_after_seconds
        return s if s is not None else self.default_reconcile_after

    def outage(self) -> DeliveryHalted | None:
        """After a pass: the channel's halt, or an outage when tries failed and nothing got through."""
        if self.halted is None and self.down_tries >= self.settings.outage_min_tries and not self.answered:
            last, status = self._last_down
            return outage(self.channel, self.name, self.down_tries, last, status)
        return self.halted

    async def send(self, messages: Sequence[OutMessage]) -> list[SendResult]:
        if not messages:
            return []
        units = [messages[i:i + self.batch_size] for i in range(0, len(messages), self.batch_size)]
        s = self.settings
        in_flight = max(1, min(s.max_in_flight, len(units)))
        n_clients = max(1, math.ceil(in_flight / s.per_client))
        timeout = aiohttp.ClientTimeout(total=None, connect=s.timeout_seconds, sock_connect=s.timeout_seconds,
                                        sock_read=s.timeout_seconds)
        tls = ssl.create_default_context(cafile=certifi.where())   # the CA bundle httpx verifies with
        # trust_env stays off: with it aiohttp looks the environment's proxy (and netrc) up again on a
        # thread for every request, a third of a request's cost here; _proxies does it once a pass.
        clients = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=s.per_client, ssl=tls),
                                         timeout=timeout) for _ in range(n_clients)]
        self._proxies = {}
        results: list[SendResult] = []
        pending = iter(units)

        async def worker(client: aiohttp.ClientSession) -> None:
            for unit in pending:  # a shared iterator: each unit goes to exactly one worker
                results.extend(await self._send_unit(client, unit))

        try:
            if not self.answered and not self.halted:
                # Until the provider has answered once this pass, one message goes alone: a 401
                # or an outage then costs one request, not max_in_flight of them.
                results.extend(await self._send_unit(clients[0], next(pending)))
            await asyncio.gather(*(worker(clients[i % n_clients]) for i in range(in_flight)))
        finally:
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        return results

    async def _post(self, client: aiohttp.ClientSession, request: Request) -> Answer:
        """One POST of the request exactly as built; the whole answer read. Logged at DEBUG as httpx
        logs its requests (the URL may hold an account id: the secrets filter redacts it)."""
        url = self._url(request.path)
        proxy, proxy_auth = self._proxy(url)
        async with client.post(url, data=request.content, headers=request.headers, allow_redirects=False,
                               proxy=proxy, proxy_auth=proxy_auth) as response:
            answer = Answer(response.status, response.headers, await response.read())
        log.debug('HTTP Request: POST %s "%d %s"', url, answer.status_code, response.reason)
        return answer

    def _down(self, why: str, status: int | None = None) -> None:
        """A try that got nothing through; enough of them in a row halt the channel (an outage)."""
        self.down_tries += 1
        self._down_in_a_row += 1
        self._last_down = (why, status)
        if self.halted is None and self._down_in_a_row >= self.settings.outage_after:
            self.halted = outage(self.channel, self.name, self._down_in_a_row, why, status)

    def _refused(self, error: str) -> None:
        """A definite 4xx refusal; `outage_after` of them in a row with nothing accepted yet in the
        pass halt the channel: a provider refusing everything is our problem, not the borrowers'."""
        self._refused_in_a_row += 1
        if (self.halted is None and not self.accepted_units
                and self._refused_in_a_row >= self.settings.outage_after):
            self.halted = rejecting_everything(self.channel, self.name, self._refused_in_a_row, error[:160])

    def _up(self, answered: bool = True) -> None:
        self._down_in_a_row = 0
        if answered:
            self.answered += 1

    async def _send_unit(self, client: aiohttp.ClientSession, unit: Sequence[OutMessage]) -> list[SendResult]:
        s = self.settings
        request = self.build(unit)
        tries, last = 0, "not tried"

        def unknown(why: str) -> list[SendResult]:
            error = redact(f"{AMBIGUOUS}: {why}; {_NOT_RETRIED}")
            return [SendResult(m.attempt_id, "unknown", error=error, tries=tries) for m in unit]

        while tries < s.max_tries:
            if self.halted:
                last = f"halted: {self.halted.message}"
                break
            await self.limiter.take()
            tries += 1
            wait = self._backoff(tries)
            try:
                response = await self._post(client, request)
            except _NOT_SENT_AIO as exc:         # refused, DNS, connect timeout: it never left
                last = f"transient: network error before sending ({type(exc).__name__})"
                self._down(f"could not connect ({type(exc).__name__})")
            except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:  # no answer in time: it may have arrived
                self._down(f"no answer in time ({type(exc).__name__})")
                return unknown(f"no answer within {s.timeout_seconds:g}s after the request was sent "
                               f"({type(exc).__name__})")
            except aiohttp.ClientError as exc:     # reset or closed after sending, unreadable answer
                self._down(f"connection lost after sending ({type(exc).__name__})")
                return unknown(f"connection lost after the request was sent ({type(exc).__name__})")
            else:
                code = response.status_code
                if 200 <= code < 300:
                    self._up()
                    self.accepted_units += 1
                    self._refused_in_a_row = 0
                    return [self._with_tries(r, tries) for r in self.accepted(unit, response)]
                if code == 429:
                    self._up(answered=False)
                    retry_after = _retry_after_seconds(response.headers.get("retry-after"))
                    last = f"transient: 429 rate limited (Retry-After {retry_after:g}s)"
                    if retry_after > s.max_retry_after_seconds:
                        break
                    wait = max(wait, retry_after)
                elif code in (401, 403):
                    self.halted = self.halted or credentials_refused(self.channel, self.name, code,
                                                                     self.credentials_hint)
                    last = f"halted: {self.halted.message}"
                    break
                elif code in (404, 405):
                    self.halted = self.halted or no_such_endpoint(self.channel, self.name, code)
                    last = f"halted: {self.halted.message}"
                    break
                elif code == 408:                  # the provider never got the whole request
                    self._up(answered=False)
                    last = f"transient: 408 {self.error_text(response)}"
                elif code >= 500:
                    self._down(f"{code} from the provider", code)
                    return unknown(f"{code} {self.error_text(response)}")
                else:
                    self._up()
                    error = redact(f"{code} {self.error_text(response)}")
                    self._refused(error)
                    return [SendResult(m.attempt_id, "failed", error=error, tries=tries) for m in unit]
            if tries < s.max_tries and not self.halted:
                await asyncio.sleep(wait)
        error = redact(last)
        return [SendResult(m.attempt_id, "retry", error=error, tries=tries) for m in unit]

    def _proxy(self, url: URL) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The environment's proxy for `url` (HTTP_PROXY / HTTPS_PROXY, NO_PROXY, netrc for its
        credentials), as aiohttp's trust_env finds it, looked up once per host a pass."""
        key = f"{url.scheme}://{url.host}"
        found = self._proxies.get(key)
        if found is None:
            try:
                found = get_env_proxy_for_url(url)
            except LookupError:   # none set, or NO_PROXY covers the host
                found = (None, None)
            self._proxies[key] = found
        return found

    def _url(self, path: str) -> URL:
        """Absolute URL, parsed once per path (not once per request)."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = URL(self.settings.base_url + path)
        return url

    def _backoff(self, tries: int) -> float:
        """Exponential backoff with jitter: base * 2^(n-1), capped, times a random 0.5..1."""
        s = self.settings
        return min(s.backoff_max_seconds, s.backoff_base_seconds * 2.0 ** (tries - 1)) * random.uniform(0.5, 1.0)

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
