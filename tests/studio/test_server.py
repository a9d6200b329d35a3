"""Serving the studio (server.py): the usage export it shows, and a server that starts and stops."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import httpx
import pytest

from loan_comms.studio import Studio, StudioServer
from loan_comms.studio.server import usage_reader
from tests.studio.conftest import PASSWORD, login_form


def test_usage_is_read_again_only_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    read = usage_reader(path)
    assert read() == {}                                          # no export yet
    path.write_text(json.dumps({"days": 30, "templates": {"sms/en/dpd_1": {"contacts": 7}}}), encoding="utf-8")
    assert read()["templates"]["sms/en/dpd_1"]["contacts"] == 7
    path.write_text("{half", encoding="utf-8")
    os.utime(path, (1, 1))
    assert read()["templates"]["sms/en/dpd_1"]["contacts"] == 7   # a bad file never fails a page
    path.write_text(json.dumps({"templates": {}}), encoding="utf-8")
    os.utime(path, (2, 2))
    assert read() == {"templates": {}}
    assert usage_reader(None)() == {}


def test_the_catalog_shows_the_plan_s_contact_counts(studio: Studio, tmp_path: Path) -> None:
    usage = tmp_path / "usage.json"
    usage.write_text(json.dumps({"days": 14, "generated_at": "2026-03-01T06:00:00+00:00",
                                 "templates": {"sms/en/dpd_1": {"contacts": 12345}}}), encoding="utf-8")
    server = StudioServer(studio, usage_file=usage).start()
    try:
        with httpx.Client(base_url=server.url(""), timeout=10) as c:
            c.post("/login", data={**login_form(c), "name": "vic", "password": PASSWORD})
            page = c.get("/").text
            assert "12,345" in page and "Contacts, 14 days" in page
            assert "12,345" in c.get("/t/sms/en/dpd_1").text
            only_email = c.get("/", params={"channel": "email"}).text
            assert "sms/en/dpd_1" not in only_email and "email/en/" in only_email
    finally:
        server.stop()


def test_the_server_listens_on_loopback_and_stops(studio: Studio) -> None:
    server = StudioServer(studio).start()
    assert server.host == "127.0.0.1" and server.url("/login").startswith("http://127.0.0.1:")
    assert httpx.get(server.url("/login"), timeout=10).status_code == 200
    server.stop()
    with socket.socket() as s, pytest.raises(OSError):
        s.settimeout(2)
        s.connect((server.host, server.port))
