"""Offers on the day's contacts: every planned contact of a step in OFFER_STEPS (a hardship or
forbearance offer, a re-offer, a decline) carries the options its borrower may take, as a menu and a
link. A missed plan payment's kind reminder carries none: the plan is still on (a re-offer follows a
break).

- In `planner.decide` (`propose`): the options of each such contact are computed, set-based, into
  temp table offer_options keyed by its idempotency_key (sql/arrangements/offer_*.sql, options.sql),
  so a dry run shows them; nothing is written.
- At render (`OfferLinks.attach`, one query per batch, not per row, for the batch's offer and plan rows
  only): the contact gets its offer token (tokens.py) and plan_options / arrears / plan for its
  template (lifecycle/rendering.py template_context); a contact of one of the six arrangement steps gets the plan it
  talks about.
- Recorded with the contact, in the batch's transaction (sql/arrangements/record_offers.sql,
  record_offer_options.sql): arrangement_offers, arrangement_offer_options; a re-run adds nothing.

A missing token key never stops the plan: offers then go without a link or menu (the templates fall
back to the help line), `unlinked` counts them, and the PlanReport carries the count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Mapping

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loan_comms import db
from loan_comms.arrangements.config import OFFER_STEPS, STEPS
from loan_comms.arrangements.options import label
from loan_comms.arrangements.tokens import offer_key, offer_token
from loan_comms.config import LifecycleConfig
from loan_comms.surveys.tokens import attempt_id_for


def propose(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, params: Mapping[str, Any]) -> None:
    """Fill temp table offer_options for the planned offer-bearing contacts of temp table decisions.
    Needs the config tables (register_tables, done with the policy's). Writes nothing to the database."""
    db.run(con, "arrangements/offer_subjects", {**params, "offer_steps": list(OFFER_STEPS),
                                                "enabled": cfg.arrangements.enabled})
    db.run(con, "arrangements/options")
    db.run(con, "arrangements/offer_options")


def menu_entry(option: Mapping[str, Any], language: str) -> dict[str, Any]:
    """One plan_options entry (templates/README.md): what the menu shows of an option. `equal`: every
    payment the same (the menu may say "3 months of X"); otherwise it must say the first and the total
    ("3 payments, first X, total Y"), never "N months of" the first: 400/400/6100 is not "3 x 400".
    `option`: a row of offer_menu.sql (first_due given) or a whole option with its schedule."""
    schedule = option.get("schedule") or []
    first_due = option["first_due"] if "first_due" in option else (schedule[0]["due_date"] if schedule else None)
    return dict(no=option["option_no"], label=label(dict(option), language), kind=option["kind"],
                months=option["months"], payment=option["payment"], total=option["total"],
                first_due=first_due, needs_review=bool(option["needs_review"]),
                equal=bool(option.get("equal", True)), last=option.get("last"))


class OfferLinks:
    """Offer tokens and template data for the rows of a render batch. The key is read once, on the
    first offer (a plan without offers never needs it); without one, offers go without a link."""

    def __init__(self, cfg: LifecycleConfig) -> None:
        self._cfg = cfg
        self._key: bytes | None = None
        self._resolved = False
        self.unlinked = 0          # offers that went without a link (no key)
        self.linked = 0

    def _token(self, idempotency_key: str) -> str | None:
        if not self._resolved:
            self._key, self._resolved = offer_key(self._cfg), True
        return offer_token(self._key, attempt_id_for(idempotency_key)) if self._key is not None else None

    def attach(self, con: duckdb.DuckDBPyConnection, batch: pa.RecordBatch, as_of: date) -> dict[int, dict[str, Any]]:
        """The template data of the rows of a render batch (idempotency_key, step, channel, language,
        loan_id) that carry an offer or talk about a plan, by row number: plan_token, plan_options,
        arrears and plan. A row not returned has none (None, [], None, None)."""
        found: dict[int, dict[str, Any]] = {}
        if not self._cfg.arrangements.enabled or batch.num_rows == 0:
            return found
        steps = batch.column("step")
        offers = _rows_of(steps, OFFER_STEPS)
        if offers:
            self._attach_offers(con, batch.take(pa.array(offers)), offers, found)
        plans = _rows_of(steps, STEPS)
        if plans:
            self._attach_plans(con, batch.take(pa.array(plans)), plans, as_of, found)
        return found

    def _attach_offers(self, con: duckdb.DuckDBPyConnection, rows: pa.RecordBatch, numbers: list[int],
                       found: dict[int, dict[str, Any]]) -> None:
        with db.registered(con, pa.Table.from_batches([rows.select(["idempotency_key"])]), "_offer_keys"):
            menu = db.rows(con, "arrangements/offer_menu")
        by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for opt in menu:
            by_key[opt["idempotency_key"]].append(opt)
        menu_size = self._cfg.arrangements.sms_menu_options
        for number, row in zip(numbers, rows.select(["idempotency_key", "channel", "language"]).to_pylist()):
            options = by_key.get(row["idempotency_key"])
            if not options:
                continue
            data = found.setdefault(number, _nothing())
            data["arrears"] = options[0]["arrears"]
            token = self._token(row["idempotency_key"])
            if token is None:
                self.unlinked += 1
                continue
            self.linked += 1
            data["plan_token"] = token
            entries = [menu_entry(o, row["language"]) for o in options]
            if row["channel"] == "sms":   # the SMS menu: the first N options that need no approval
                entries = [e for e in entries if not e["needs_review"]][:menu_size]
            data["plan_options"] = entries

    def _attach_plans(self, con: duckdb.DuckDBPyConnection, rows: pa.RecordBatch, numbers: list[int], as_of: date,
                      found: dict[int, dict[str, Any]]) -> None:
        with db.registered(con, pa.Table.from_batches([rows.select(["idempotency_key", "loan_id"])]), "_plan_keys"):
            plans = {p["idempotency_key"]: p for p in db.rows(con, "arrangements/plan_context", {"as_of": as_of})}
        labels = {oid: o.label for oid, o in self._cfg.arrangements.options.items()}
        for number, row in zip(numbers, rows.select(["idempotency_key", "language"]).to_pylist()):
            p = plans.get(row["idempotency_key"])
            if p is None:
                continue
            names = labels.get(p["option_id"], {})
            lang = row["language"]
            found.setdefault(number, _nothing())["plan"] = dict(
                label=names.get(lang) or names.get("en") or names.get("zh-CN") or p["option_id"],
                kind=p["kind"], months=p["months"], payment=p["payment"], currency=p["currency"],
                schedule=[dict(no=s["no"], due_date=s["due_date"], amount=s["amount"]) for s in p["schedule"]],
                next_due_date=p["next_due_date"], next_amount=p["next_amount"], total=p["total"],
                installments=p["installments"],
                decision_reason=p["decision_reason"], status=p["status"])


def _nothing() -> dict[str, Any]:
    """A row's offer data before any is found: no token, no menu, no arrears, no plan."""
    return {"plan_token": None, "plan_options": [], "arrears": None, "plan": None}


def _rows_of(steps: pa.Array, wanted: tuple[str, ...]) -> list[int]:
    """The row numbers of a batch whose step is one of `wanted`."""
    rows: list[int] = pc.indices_nonzero(pc.is_in(steps, value_set=pa.array(wanted, pa.string()))).to_pylist()
    return rows


def plan_link(cfg: LifecycleConfig, token: str | None) -> str | None:
    """The offer's link: [arrangements] link_base + token (None without a token)."""
    return f"{cfg.arrangements.link_base}{token}" if token else None
