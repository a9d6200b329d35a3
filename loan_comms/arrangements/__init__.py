"""Repayment arrangements (issue 15): plans a borrower in hardship can accept without a fight.

The whole story, for product, operators and newcomers: docs/arrangements.md; the core-banking export:
docs/arrangements-export.md.

- Options as data and their schedules from the loan's real arrears: config.py, options.py
  (sql/arrangements/options.sql); offers ride on the offer-bearing contacts of the day's plan
  (offers.py, called by loan_comms.lifecycle.planner; tokens.py for the link).
- Accepting, through one landing function (accept.py, `land_choices`): the self-service page
  (web.py, its template pages/plan.html.j2, served by loan_comms.pages), the SMS menu (sms_menu.py,
  which menu_parse.py reads, hooked into inbound/replies.py), an agent's record (agents.py) and
  choice files, the page's own included (intake.py). Options outside the automatic rules go to the
  review queue (reviews.py).
- The plan's life is SQL the planner runs with the day: sql/arrangements/plan_installments.sql and
  state.sql (payments toward the plan, missed, broken, kept), the six plan contacts
  (*_candidates.sql), and the events and export records of the day (event_changes.sql,
  record_events.sql, record_exports.sql). The gate rules are sql/policy/rules/arrangement_active.sql
  and awaiting_reoffer.sql; the audit rules are sql/audit/arrangement_no_escalation.sql,
  arrangement_holds.sql, reoffer_before_resume.sql and arrangement_no_jump.sql.
- The core-banking export, once and only once: export.py (the pass), export_files.py (the day's
  files), export_http.py (the signed webhook), fake_core.py (a fake core banking system for tests
  and the demo). Analytics: analytics.py.

Public API. Other packages import these from their submodules, on first use, so that importing the
package stays light: only the config model is imported here, eagerly, because loan_comms.config
needs it.
    config        Arrangements, Option, Export, KINDS, STEPS, OFFER_STEPS  (config, templating)
    options       register_tables                                          (policy.engine)
    offers        propose, OfferLinks, plan_link                           (lifecycle.planner)
    menu_parse    menu_choice; sms_menu: MenuText, claim_menu_choices      (inbound.replies)
    web           PlanPage, export_offers, offers_file_for                 (pages, tasks)
    intake        ingest_arrangement_choices                               (cli.plans, tasks.ingest)
    agents        record_agent_arrangements                                (cli.plans)
    reviews       pending, approve, decline                                (cli.arrangements, simulation)
    export        export_arrangements, resolve_export, ExportReport        (cli.arrangements_export, tasks)
    analytics     rebuild, built, summary, ArrangementSummary              (surveys.aggregation, .report)
    accept        land_choices, Choice, AcceptReport                       (intake, sms_menu, agents)
"""

from __future__ import annotations

from loan_comms.arrangements.config import KINDS, OFFER_STEPS, STEPS, Arrangements, Export, Option

__all__ = ["KINDS", "OFFER_STEPS", "STEPS", "Arrangements", "Export", "Option"]
