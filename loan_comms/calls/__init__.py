"""Collector calls: the day's frequency-capped call queue, routed to teams and ranked.

SQL: sql/calls/queue/.
"""

from loan_comms.calls.queue import CallQueue, build_call_queue, read_call_queue

__all__ = ["CallQueue", "build_call_queue", "read_call_queue"]
