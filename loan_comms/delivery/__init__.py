"""Delivery: planned contacts out through their channel's provider, inside their windows.

    dispatch_due(con, cfg, now)                # one pass on the wall clock (the hourly deployment)
    dispatch_day(con, cfg, as_of)              # a whole day on a simulated clock (run-day, demo)

Providers (outbox, Twilio, SendGrid, webhook) live in delivery/providers/; a fake gateway for tests
and demos in fake_gateway.py. SQL: sql/delivery/.
"""

from loan_comms.delivery.day_dispatch import (SimulatedClockRefused, check_simulated_clock_allowed, dispatch_day,
                                              finish_earlier_days)
from loan_comms.delivery.dispatch import DispatchReport, dispatch_due

__all__ = ["DispatchReport", "SimulatedClockRefused", "check_simulated_clock_allowed", "dispatch_day",
           "dispatch_due", "finish_earlier_days"]
