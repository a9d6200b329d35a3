"""Repayment arrangements (issue 15): plans a borrower in hardship can accept without a fight.

- Options as data and their schedules from the loan's real arrears: config.py, options.py
  (sql/arrangements/options.sql); offers ride on the offer-bearing contacts of the day's plan
  (offers.py, called by loan_comms.lifecycle.planner; tokens.py for the link).
- Accepting, three ways, through one landing function (accept.py): the self-service page (web.py),
  the SMS menu (sms_menu.py, hooked into inbound/replies.py), an agent's record (agents.py); options
  outside the automatic rules go to the review queue (reviews.py).
- The plan's life (sql/arrangements/state.sql and the planner's candidates): the ladder stops on the
  covered loans, plan reminders, missed / broken / kept, re-offer before the ladder resumes.
- The core-banking export, once and only once (export.py); analytics (analytics.py).

The config model is imported eagerly (loan_comms.config needs it); the rest on first use.
"""

from __future__ import annotations

from loan_comms.arrangements.config import KINDS, OFFER_STEPS, STEPS, Arrangements, Export, Option

__all__ = ["KINDS", "OFFER_STEPS", "STEPS", "Arrangements", "Export", "Option"]
