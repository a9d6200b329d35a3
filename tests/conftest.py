"""Shared fixtures: an in-memory database with the schema, the shipped config, a tiny book builder."""

from __future__ import annotations

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from hypothesis import settings

# CI replays the same examples every run (a red CI should mean a change broke something, not that
# the dice found something new); locally each run explores fresh examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
