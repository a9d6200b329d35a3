"""Run a coroutine to completion from synchronous code, also inside a running event loop (Prefect).

Dispatch, reconciliation and delivery checks call the async HTTP providers from plain functions that
Prefect may run in a thread with its own loop; asyncio.run would refuse there.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, or in a helper thread when this thread already runs an event loop (Prefect)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["v"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["e"] = exc

    th = threading.Thread(target=target, name="delivery-async")
    th.start()
    th.join()
    if "e" in box:
        raise box["e"]
    result: T = box["v"]
    return result

