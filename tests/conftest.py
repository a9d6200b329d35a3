"""Shared fixtures, for every test folder: an in-memory database with the schema (`con`), the shipped
config (`cfg`), a hand-built book on that database (`book`, see builders.py), a renderer that echoes
(`renderer`), a fake gateway on 127.0.0.1 (`gateway`) with its credentials in the environment
(`secrets_env`), and an environment without any LOAN_COMMS_* variable.

A folder's own conftest adds only what that folder needs; a test module that wants `con` with some
rows in it overrides the fixture by name and asks for this one (`def con(con): ...`).
"""

from __future__ import annotations

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from typing import Iterator

import duckdb
import pytest
from hypothesis import settings

from loan_comms import db
from loan_comms.config import LifecycleConfig, load_config
from loan_comms.delivery.fake_gateway import FakeGateway
from tests.builders import SG_KEY, SID, TOKEN, Book, EchoRenderer

# CI replays the same examples every run (a red CI should mean a change broke something, not that
# the dice found something new); locally each run explores fresh examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ENV_PREFIX = "LOAN_COMMS_"


@pytest.fixture(autouse=True)
def _no_loan_comms_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell (LOAN_COMMS_SMS_PROVIDER=twilio, LOAN_COMMS_DEBUG=1, ...) cannot change a
    result: every LOAN_COMMS_* variable is gone for each test, and a test that needs one sets it."""
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def cfg() -> LifecycleConfig:
    """The shipped config/lifecycle.toml (frozen, so one copy serves every test)."""
    return load_config()


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory database with the schema, closed after the test."""
    c = db.connect()
    yield c
    c.close()


@pytest.fixture
def book(con: duckdb.DuckDBPyConnection) -> Book:
    """An empty hand-built book on `con` (borrowers, loans, payments and events added by the test)."""
    return Book(con)


@pytest.fixture
def renderer() -> EchoRenderer:
    """Stands in for the template library where wording does not matter."""
    return EchoRenderer()


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake gateway's credentials, where the providers look for them."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("SENDGRID_API_KEY", SG_KEY)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    """A Twilio/SendGrid/webhook-shaped gateway on 127.0.0.1 that accepts those credentials."""
    gw = FakeGateway(twilio_auth=(SID, TOKEN), sendgrid_key=SG_KEY)
    gw.start()
    yield gw
    gw.stop()
