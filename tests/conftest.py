"""Shared fixtures: an in-memory database with the schema, the shipped config, a tiny book builder."""

from __future__ import annotations

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
