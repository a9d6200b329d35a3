"""No borrower's number or address reaches the log through the HTTP library.

httpx logs `HTTP Request: GET <full url>` at INFO; reconciliation asks Twilio for
`Messages.json?To=%2B1202...`. The provider secrets' logging filter (installed when provider code
is loaded, as dispatch and reconciliation load it) masks personal data in what httpx and httpcore
log, URL-encoded forms included, besides redacting secrets.
"""

from __future__ import annotations

import logging

import httpx

from loan_comms.delivery.providers import secrets

PHONE = "+12025550123"
EMAIL = "wang.wei@example.com"
SID = "ACfeedface0123456789secretsid"


def _get(url: str, params: dict[str, str]) -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={}))) as client:
        client.get(url, params=params)


def test_an_httpx_request_line_with_a_phone_in_the_query_is_logged_masked(caplog):
    secrets.register(SID)                      # as resolve_secret does with the account SID
    caplog.set_level(logging.INFO, logger="httpx")
    _get(f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json",
         {"To": PHONE, "PageSize": "50"})
    _get("https://api.example.com/v3/lookup/%2B1%20202%20555%200123", {"email": EMAIL, "alias": "a+b@x.co.uk"})
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(lines) == 2 and all(line.startswith("HTTP Request: GET") for line in lines), lines
    text = caplog.text + "\n".join(lines)
    for leaked in ("%2B1202555", "2025550123", "+1202555", "202%20555%200123", "wang.wei", "a%2Bb", SID):
        assert leaked not in text, leaked
    first, second = lines
    # what is left still tells an operator which request it was
    assert "https://api.twilio.com/2010-04-01/Accounts/***/Messages.json?To=%2B12****23&PageSize=50" in first
    assert "%2B1%20****23" in second and "email=w***%40example.com" in second and "a***%40x.co.uk" in second
    assert '"HTTP/1.1 200 OK"' in first


def test_the_filter_is_on_the_library_loggers_once_provider_code_is_loaded():
    for name in ("httpx", "httpcore", "httpcore.http11"):
        assert secrets._filter in logging.getLogger(name).filters


def test_our_own_records_keep_their_ids_and_only_lose_secrets():
    """loan_comms loggers mask at the source; the filter only redacts secrets there."""
    secrets.register(SID)
    record = logging.LogRecord("loan_comms.delivery.dispatch", logging.INFO, __file__, 1,
                               "attempt %s sent with %s", ("A-20261101-0001234567", SID), None)
    assert secrets._filter.filter(record)
    assert record.getMessage() == "attempt A-20261101-0001234567 sent with ***"
