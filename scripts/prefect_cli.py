"""The `prefect` command line, with one shim for a client/server mismatch of prefect 3.8.8 here.

With the pinned FastAPI, the 3.8.8 server rejects explicit nulls at the top level of the body of
its `/filter` (and `/count`, `/paginate`) endpoints (422: `"limit": null`, `"flow_runs": null`...),
and several CLI commands send exactly that: `prefect deploy` (asking which workers are online)
aborts `deploy --all` after the first deployment, and `prefect deployment ls` fails. The shim
leaves null top-level keys out of those bodies, so the server applies its own defaults (which
are those nulls). Everything else is the stock CLI.

Usage: .venv/bin/python scripts/prefect_cli.py <the same arguments as `prefect`>
"""

from __future__ import annotations

import sys
from typing import Any

QUERY_ENDPOINTS = ("/filter", "/count", "/paginate")


def _clean(url: Any, json: Any) -> Any:
    if (isinstance(json, dict) and str(url).rstrip("/").endswith(QUERY_ENDPOINTS)
            and any(v is None for v in json.values())):
        return {k: v for k, v in json.items() if v is not None}
    return json


def install() -> None:
    """Patch Prefect's HTTP clients (sync and async) to drop top-level nulls from query bodies."""
    from prefect.client.base import PrefectHttpxAsyncClient, PrefectHttpxSyncClient

    for cls in (PrefectHttpxAsyncClient, PrefectHttpxSyncClient):
        if getattr(cls.build_request, "_loan_comms_shim", False):
            continue
        orig = cls.build_request

        def build_request(self, method: str, url: Any, *args: Any, _orig=orig, **kwargs: Any):
            if "json" in kwargs:
                kwargs["json"] = _clean(url, kwargs["json"])
            return _orig(self, method, url, *args, **kwargs)

        build_request._loan_comms_shim = True  # type: ignore[attr-defined]
        cls.build_request = build_request


if __name__ == "__main__":
    install()
    from prefect.cli import app

    sys.argv[0] = "prefect"
    sys.exit(app())
