"""How many contacts each template produced lately: the file the template studio shows.

The studio is a separate process and must never open the book's DuckDB file (DuckDB allows one
writer process, and the daily run is it). So, as the survey page gets its tokens
(surveys/web.py export_tokens), the plan flow writes what the studio needs beside the database,
`template_usage.json`, whole or not at all (atomic_files.write_atomically):

    {"generated_at": "2026-11-10T01:02:03+00:00", "days": 30,
     "templates": {"sms/en/dpd_1": {"contacts": 120, "last_sent": "2026-11-10",
                                    "versions": {"5a1e0c7d9b2f": 100, "9c4d2e1f0a3b": 20}}}}

A contact counts on the borrower's local day it was planned for, when that day is within the last
`days` days up to `now` (today included; a day planned ahead of `now` counts too); `last_sent` is
the latest such day. Counts and template ids only: no borrower data leaves the book.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.atomic_files import write_atomically

USAGE_NAME = "template_usage.json"


def template_usage_file_for(db_path: str | Path) -> Path:
    """Where the plan flow writes the studio's usage file for a database: `template_usage.json` beside it."""
    return Path(db_path).resolve().parent / USAGE_NAME


def template_usage(con: duckdb.DuckDBPyConnection, *, now: datetime, days: int) -> dict[str, Any]:
    """The usage document (see the module docstring) for the `days` days up to `now`."""
    since = now.astimezone(UTC).date() - timedelta(days=days - 1)
    templates: dict[str, dict[str, Any]] = {}
    for r in db.rows(con, "templating/usage", {"since": since}):
        t = templates.setdefault(r["template_id"], {"contacts": 0, "last_sent": None, "versions": {}})
        t["contacts"] += int(r["contacts"])
        t["versions"][r["template_version"]] = int(r["contacts"])
        last = r["last_day"].isoformat()
        t["last_sent"] = max(t["last_sent"] or last, last)
    return {"generated_at": now.astimezone(UTC).isoformat(), "days": days, "templates": templates}


def export_template_usage(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime, days: int) -> int:
    """Write the usage document to `path` atomically; returns how many templates it names."""
    doc = template_usage(con, now=now, days=days)
    write_atomically(Path(path), json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return len(doc["templates"])
