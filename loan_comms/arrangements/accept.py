"""Accepting a plan: ONE landing function for every path a choice arrives by (the page, the SMS
menu, an agent's record, a file), `land_choices`.

Each choice is checked on its own and a refused one costs no other; it is quarantined
(import_quarantine, entity `arrangement_choice`, with its file, line and one reason):

- the choice is malformed (no id, no time zone, an unknown source, no option)    (`... missing`)
- no offer has its token                                                          (`unknown token`)
- it came after the offer expired                                                 (`offer expired ...`)
- the option number is not one the offer showed                                   (`option N is not in the offer`)
- the offer was already taken (a plan active or waiting for review from it)        (`offer already taken`)
- another plan is active or waiting for review on a loan it would cover           (`another plan ... on loan ...`)
- nothing is in arrears on the loan any more                                      (`nothing in arrears ...`)
- the option, recomputed as of the choice, may no longer be offered                (`option N is no longer available: ...`)
- an agent's record names an unknown loan or option, or one the loan cannot have  (`unknown loan`, ...)

The chosen option is RECOMPUTED as of the choice (sql/arrangements/options.sql, the same SQL the
offer used) on the loans the offer was computed on (arrangement_offer_loans; never a loan that fell
into arrears after it: an agent's record, which has no offer, covers what [arrangements] scope says as
of the agreed day). Amounts, dates, ends_on and the installments the plan absorbs
(arrangement_covered_installments) all come from that one computation, so a kept plan settles only
what its schedule collected. Why not the offer's amounts: payments between the offer and the choice
change what is owed, and dates counted from the choice with amounts from the offer would cover a
different month's installments than the amounts include. The borrower is told the real schedule by
arrangement_confirmed. An option the automatic rules still allow becomes an active plan at once (event
arrangement_accepted, decided_by 'rules', and an export row for the core banking system); one that
needs review, or is only within its review bounds now, becomes a pending_review request (event
arrangement_requested) for a person (reviews.py, which recomputes again at the approval); one that
may no longer be offered at all is refused. Installments fall due on the choice's local day + k
months (same day of month, clamped to the month's end).

Replay-safe: a choice whose external_id landed before is counted in `already` and changes nothing;
arrangement_id is a short hash of it and every event's external_id is derived from that.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass, field
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.arrangements.options import Subject, compute
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import reader
from loan_comms.masking import mask_loan_id

SOURCES = ("web", "sms", "agent", "file")
ENTITY = "arrangement_choice"          # import_quarantine.entity of a refused choice
MAX_ID = 200


@dataclass(frozen=True)
class Choice:
    """One choice as it arrived (the shared contract of issue 15)."""

    source: str                 # 'web' | 'sms' | 'agent' | 'file'
    external_id: str            # the choice's own id (page submission id, SMS sid, agent file row id)
    chosen_at: datetime         # tz-aware
    token: str | None = None    # the offer's token (web, sms); None for an agent's record
    option_no: int | None = None   # the offer's option number (web, sms)
    loan_id: str | None = None     # agent: the loan agreed on
    option_id: str | None = None   # agent: the [arrangements.options] id agreed
    agent_id: str | None = None
    source_file: str | None = None
    source_line: int = 0
    channel: str | None = None     # agent: how it was agreed, 'call' | 'visit' (stored as agreed_via)


@dataclass
class AcceptReport:
    """What landing a batch did: plan ids and refusal reasons (never a name or an amount)."""

    accepted: list[str] = field(default_factory=list)        # arrangement_ids now active
    requested: list[str] = field(default_factory=list)       # arrangement_ids waiting for review
    refused: list[tuple[Choice, str]] = field(default_factory=list)
    already: int = 0                                         # external_ids landed before (replay)

    @property
    def reasons(self) -> list[str]:
        return [f"{_where(c)}: {why}" for c, why in self.refused]

    def __str__(self) -> str:
        return (f"plan choices: {len(self.accepted)} accepted, {len(self.requested)} waiting for review, "
                f"{self.already} already landed, {len(self.refused)} refused"
                + "".join(f"\n  {r}" for r in self.reasons[:reader.SHOW_REASONS]))


def _where(c: Choice) -> str:
    name = (c.source_file or f"<{c.source}>").rsplit("/", 1)[-1]
    return f"{name}:{c.source_line}"


def arrangement_id_for(external_id: str) -> str:
    """The plan's id: 16 hex digits of sha256 of the choice's external_id (the same choice, the same id)."""
    return hashlib.sha256(external_id.encode()).hexdigest()[:16]


def add_months(day: date, months: int) -> date:
    """`day` + `months` calendar months, the same day of month clamped to the month's end
    (Jan 31 + 1 = Feb 28, or 29 in a leap year), as DuckDB's date + INTERVAL does."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_for(starts_on: date, amounts: Sequence[Decimal]) -> list[dict[str, Any]]:
    """The plan's installments: amount k falls due on starts_on + k months."""
    return [dict(installment_no=k, due_date=add_months(starts_on, k), amount=Decimal(a))
            for k, a in enumerate(amounts, start=1)]


def _first_problem(c: Choice, cfg: LifecycleConfig) -> str | None:
    if c.source not in SOURCES:
        return f"source {c.source!r} is not one of {', '.join(SOURCES)}"
    if not isinstance(c.external_id, str) or not c.external_id.strip():
        return "the choice has no id (external_id missing)"
    if len(c.external_id) > MAX_ID:
        return "the choice's id is too long"
    if not isinstance(c.chosen_at, datetime) or c.chosen_at.tzinfo is None:
        return "chosen_at missing or without a time zone"
    if c.token is not None:
        if not isinstance(c.option_no, int) or isinstance(c.option_no, bool):
            return "no option number chosen"
        return None
    if not c.loan_id:
        return "no offer token and no loan: an agent's record names the loan agreed"
    if not c.option_id:
        return "no option: an agent's record names the option agreed"
    if c.option_id not in cfg.arrangements.options:
        return f"unknown option {c.option_id!r} (see [arrangements.options])"
    return None


@dataclass
class _Plan:
    """A plan about to be written."""

    choice: Choice
    arrangement_id: str
    borrower_id: str
    loan_id: str
    currency: str
    option_id: str
    kind: str
    months: int
    freeze_interest: bool
    amounts: list[Decimal]
    covered: list[dict[str, Any]]
    starts_on: date
    absorbs: list[dict[str, Any]]    # the contractual installments it takes over (options.sql absorbs)
    status: str                      # active | pending_review
    why_review: str | None


def land_choices(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, choices: Sequence[Choice], *,
                 now: datetime) -> AcceptReport:
    """Validate and land `choices` (see the module doc), refused ones quarantined, in one transaction;
    inside the caller's when `con` is already in one (the SMS path lands its texts so)."""
    with _transaction(con):
        report = _land(con, cfg, choices, now)
        reader.quarantine(con, quarantine_rows(report.refused))
    return report


def _land(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, choices: Sequence[Choice],
          now: datetime) -> AcceptReport:
    report = AcceptReport()
    ok: list[Choice] = []
    for c in choices:
        problem = _first_problem(c, cfg)
        if problem is not None:
            report.refused.append((c, problem))
        else:
            ok.append(c)
    if not ok:
        return report
    known = _known(con, [c.external_id for c in ok])
    fresh: list[Choice] = []
    seen: set[str] = set()
    for c in ok:
        if c.external_id in known or c.external_id in seen:
            report.already += 1
        else:
            seen.add(c.external_id)
            fresh.append(c)
    offers = _offers(con, [c.token for c in fresh if c.token is not None])
    loans = _loans(con, [c.loan_id for c in fresh if c.token is None and c.loan_id])
    subjects: list[tuple[Choice, Subject, dict[str, Any] | None]] = []
    for c in fresh:
        if c.token is not None:
            offer = offers.get(c.token)
            problem = _offer_problem(c, offer)
            if problem:
                report.refused.append((c, problem))
                continue
            assert offer is not None
            borrower_id, loan_id, tz = offer["borrower_id"], offer["loan_id"], offer["timezone"]
        else:
            loan = loans.get(str(c.loan_id))
            if loan is None:
                report.refused.append((c, "unknown loan"))
                continue
            offer, borrower_id, loan_id, tz = None, loan["borrower_id"], str(c.loan_id), loan["timezone"]
        day = c.chosen_at.astimezone(ZoneInfo(tz)).date()
        bound = tuple(offer["offer_loans"]) if offer is not None else None
        subjects.append((c, Subject(c.external_id, borrower_id, loan_id, day, c.chosen_at, loan_ids=bound), offer))
    if not subjects:
        return report
    options = compute(con, cfg, [s for _, s, _ in subjects])
    wanted = {s.loan_id for _, s, _ in subjects}
    wanted |= {x["loan_id"] for _, s, _ in subjects for x in (options[s.key][0]["covered"] if options[s.key] else [])}
    busy = _open_plans(con, sorted(wanted))
    taken = set(busy.pop("__offers__", []))
    plans: list[_Plan] = []
    for c, s, offer in subjects:
        plan, problem = _judge(c, s, offer, options[s.key], taken, busy)
        if problem:
            report.refused.append((c, problem))
            continue
        assert plan is not None
        plans.append(plan)
        if c.token:
            taken.add(c.token)
        for loan in plan.covered:
            busy[loan["loan_id"]] = plan.arrangement_id
    write_plans(con, plans, now)
    report.accepted = [p.arrangement_id for p in plans if p.status == "active"]
    report.requested = [p.arrangement_id for p in plans if p.status == "pending_review"]
    return report


def _offer_problem(c: Choice, offer: dict[str, Any] | None) -> str | None:
    if offer is None:
        return "unknown token (no offer has it)"
    if c.chosen_at > offer["expires_at"]:
        return f"offer expired on {offer['expires_at']:%Y-%m-%d}"
    if c.option_no not in offer["options"]:
        shown = ", ".join(map(str, sorted(offer["options"]))) or "none"
        return f"option {c.option_no} is not in the offer (it showed {shown})"
    return None


def _judge(c: Choice, s: Subject, offer: dict[str, Any] | None, options: list[dict[str, Any]], taken: set[str],
           busy: dict[str, str]) -> tuple[_Plan | None, str | None]:
    """The plan a checked choice makes, or why it cannot make one."""
    if c.token is not None and c.token in taken:
        return None, "offer already taken (a plan from it is active or waiting for review)"
    option_id = offer["options"][c.option_no]["option_id"] if offer is not None else c.option_id
    row = next((o for o in options if o["option_id"] == option_id), None)
    if row is None:
        return None, f"unknown option {option_id!r} (no longer in [arrangements.options])"
    if not row["covered"] or row["why_not"] == "nothing in arrears on this loan":
        return None, "nothing in arrears on this loan any more"
    covered = [dict(loan_id=x["loan_id"], arrears=x["arrears"]) for x in row["covered"]]
    clash = sorted({x["loan_id"] for x in covered if x["loan_id"] in busy} | ({s.loan_id} & set(busy)))
    if clash:
        return None, f"another plan is active or waiting for review on loan {mask_loan_id(clash[0])}"
    if row["eligibility"] == "no":
        if offer is not None:
            return None, f"option {c.option_no} is no longer available: {row['why_not']}"
        return None, f"option {option_id} is not available for this loan: {row['why_not']}"
    amounts = [Decimal(str(x["amount"])) for x in row["schedule"]]
    kind, months, freeze = row["kind"], row["months"], row["freeze_interest"]
    status = "active" if row["eligibility"] == "auto" else "pending_review"
    why = None if status == "active" else "the option needs a person's approval"
    return _Plan(choice=c, arrangement_id=arrangement_id_for(c.external_id), borrower_id=s.borrower_id,
                 loan_id=s.loan_id, currency=row["currency"], option_id=str(option_id), kind=kind, months=months,
                 freeze_interest=bool(freeze), amounts=amounts, covered=covered, starts_on=s.as_of, status=status,
                 why_review=why, absorbs=absorbed_rows(row)), None


def absorbed_rows(option: dict[str, Any]) -> list[dict[str, Any]]:
    """The contractual installments a plan computed as `option` (an options.sql row) takes over."""
    return [dict(loan_id=x["loan_id"], installment_no=int(x["installment_no"]),
                 outstanding=Decimal(str(x["outstanding"]))) for x in option["absorbs"]]


# -- reading ---------------------------------------------------------------------------------------

def _keys_table(values: Sequence[str]) -> pa.Table:
    return pa.Table.from_pylist([{"k": v} for v in values], schema=pa.schema([("k", pa.string())]))


def _known(con: duckdb.DuckDBPyConnection, external_ids: list[str]) -> set[str]:
    with db.registered(con, _keys_table(external_ids), "_plan_keys"):
        return {r["external_id"] for r in db.rows(con, "arrangements/choices_known")}


def _offers(con: duckdb.DuckDBPyConnection, tokens: list[str]) -> dict[str, dict[str, Any]]:
    """token -> the offer (borrower, loan, timezone, expires_at) with options {option_no: row}."""
    if not tokens:
        return {}
    with db.registered(con, _keys_table(tokens), "_plan_keys"):
        found = db.rows(con, "arrangements/offers_for_tokens")
    out: dict[str, dict[str, Any]] = {}
    for r in found:
        offer = out.setdefault(r["token"], dict(borrower_id=r["borrower_id"], loan_id=r["loan_id"],
                                                timezone=r["timezone"], expires_at=r["expires_at"],
                                                offer_loans=list(r["offer_loans"]), options={}))
        if r["option_no"] is not None:
            offer["options"][r["option_no"]] = r
    return out


def _loans(con: duckdb.DuckDBPyConnection, loan_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not loan_ids:
        return {}
    with db.registered(con, _keys_table(loan_ids), "_plan_keys"):
        return {r["loan_id"]: r for r in db.rows(con, "arrangements/loans_for_ids")}


def _open_plans(con: duckdb.DuckDBPyConnection, loan_ids: list[str]) -> dict[str, Any]:
    """loan_id -> the open plan on it (pending_review, or active and neither broken nor kept), and
    under "__offers__" the tokens such plans were taken from."""
    with db.registered(con, _keys_table(loan_ids), "_plan_keys"):
        found = db.rows(con, "arrangements/open_plans")
    busy: dict[str, Any] = {r["loan_id"]: r["arrangement_id"] for r in found}
    busy["__offers__"] = [r["offer_token"] for r in db.rows(con, "arrangements/taken_offers")]
    return busy


# -- writing ---------------------------------------------------------------------------------------

_ARRANGEMENTS = pa.schema([
    ("arrangement_id", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()), ("currency", pa.string()),
    ("option_id", pa.string()), ("kind", pa.string()), ("months", pa.int32()), ("freeze_interest", pa.bool_()),
    ("offer_token", pa.string()), ("option_no", pa.int32()), ("source", pa.string()), ("agent_id", pa.string()),
    ("status", pa.string()), ("requested_at", pa.timestamp("us", tz="UTC")),
    ("decided_at", pa.timestamp("us", tz="UTC")), ("decided_by", pa.string()), ("decision_reason", pa.string()),
    ("starts_on", pa.date32()), ("ends_on", pa.date32()), ("external_id", pa.string()), ("agreed_via", pa.string()),
])
_LOANS = pa.schema([("arrangement_id", pa.string()), ("loan_id", pa.string()), ("arrears", pa.decimal128(18, 2))])
COVERED = pa.schema([("arrangement_id", pa.string()), ("loan_id", pa.string()), ("installment_no", pa.int32()),
                     ("outstanding", pa.decimal128(18, 2))])
INSTALLMENTS = pa.schema([("arrangement_id", pa.string()), ("installment_no", pa.int32()), ("due_date", pa.date32()),
                          ("amount", pa.decimal128(18, 2))])
EVENTS = pa.schema([
    ("external_id", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()), ("kind", pa.string()),
    ("occurred_at", pa.timestamp("us", tz="UTC")), ("detail", pa.string()), ("channel", pa.string()),
    ("source", pa.string()),
])


def ends_on(kind: str, starts_on: date, months: int, installments: Sequence[dict[str, Any]]) -> date:
    """The last plan due date; a holiday's: its last day (starts_on + months)."""
    if kind == "payment_holiday" or not installments:
        return add_months(starts_on, months)
    return max(date.fromisoformat(str(i["due_date"])) for i in installments)


def event_row(kind: str, arrangement_id: str, borrower_id: str, loan_id: str, at: datetime, source: str,
              channel: str | None = None, **detail: Any) -> dict[str, Any]:
    """A borrower_events row of a plan (external_id 'arr:<id>:<kind without arrangement_>')."""
    return dict(external_id=f"arr:{arrangement_id}:{kind.removeprefix('arrangement_')}", borrower_id=borrower_id,
                loan_id=loan_id, kind=kind, occurred_at=at, channel=channel, source=source,
                detail=json.dumps({"arrangement_id": arrangement_id, **detail}, sort_keys=True, default=str))


def agreed_via(c: Choice) -> str | None:
    """The channel a plan was agreed on (arrangements.agreed_via): the page 'web', the SMS menu 'sms',
    an agent's 'call' or 'visit'; None for a choice file, which names none."""
    return {"web": "web", "sms": "sms"}.get(c.source) or (c.channel if c.source == "agent" else None)


def write_plans(con: duckdb.DuckDBPyConnection, plans: Sequence[_Plan], now: datetime) -> None:
    """arrangements, arrangement_loans, arrangement_installments, the events and (active plans) the
    export rows, each once (the SQL anti-joins on keys). Inside the caller's transaction."""
    arr, loans, insts, events, absorbed = [], [], [], [], []
    for p in plans:
        c = p.choice
        installments = [{"arrangement_id": p.arrangement_id, **i} for i in schedule_for(p.starts_on, p.amounts)]
        active = p.status == "active"
        row = dict(arrangement_id=p.arrangement_id, borrower_id=p.borrower_id, loan_id=p.loan_id, currency=p.currency,
                   option_id=p.option_id, kind=p.kind, months=p.months, freeze_interest=p.freeze_interest,
                   offer_token=c.token, option_no=c.option_no if c.token else None, source=c.source,
                   agent_id=c.agent_id, status=p.status, requested_at=c.chosen_at,
                   decided_at=c.chosen_at if active else None, decided_by="rules" if active else None,
                   decision_reason=None if active else p.why_review, starts_on=p.starts_on,
                   ends_on=ends_on(p.kind, p.starts_on, p.months, installments), external_id=c.external_id,
                   agreed_via=agreed_via(c))
        arr.append(row)
        loans += [dict(arrangement_id=p.arrangement_id, loan_id=x["loan_id"], arrears=x["arrears"]) for x in p.covered]
        insts += installments
        absorbed += [dict(arrangement_id=p.arrangement_id, **x) for x in p.absorbs]
        channel = "sms" if c.source == "sms" else None
        kind = "arrangement_accepted" if active else "arrangement_requested"
        detail: dict[str, Any] = dict(option_id=p.option_id, plan_kind=p.kind, months=p.months, path=c.source)
        detail.update(decided_by="rules") if active else detail.update(reason=p.why_review)
        if c.agent_id:
            detail["agent_id"] = c.agent_id
        events.append(event_row(kind, p.arrangement_id, p.borrower_id, p.loan_id, c.chosen_at, f"arrangement_{c.source}",
                                channel, **detail))
    insert_rows(con, arr=arr, loans=loans, installments=insts, events=events, now=now)
    insert_covered(con, absorbed)


def insert_covered(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> None:
    """arrangement_covered_installments rows (schema COVERED), each key once."""
    if rows:
        with db.registered(con, pa.Table.from_pylist(list(rows), schema=COVERED), "_arr_covered"):
            db.run(con, "arrangements/covered_installments_insert")


def insert_rows(con: duckdb.DuckDBPyConnection, *, now: datetime, arr: list[dict[str, Any]] = (),  # type: ignore[assignment]
                loans: list[dict[str, Any]] = (), installments: list[dict[str, Any]] = (),  # type: ignore[assignment]
                events: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
    """Write plan rows through sql/arrangements/*_insert.sql (each key once), then queue the
    core-banking record of each arrangement_accepted event just written (record_exports.sql, the one
    payload builder, shared with the day's broken and kept plans), so every record has one shape."""
    for name, rows, schema, view in (("arrangements_insert", arr, _ARRANGEMENTS, "_arr_rows"),
                                     ("arrangement_loans_insert", loans, _LOANS, "_arr_loans"),
                                     ("installments_insert", installments, INSTALLMENTS, "_arr_installments"),
                                     ("events_insert", events, EVENTS, "_arr_events")):
        if rows:
            with db.registered(con, pa.Table.from_pylist(list(rows), schema=schema), view):
                db.run(con, f"arrangements/{name}", {"now": now})
    if any(e["kind"] == "arrangement_accepted" for e in events):
        db.run(con, "arrangements/record_exports", {"recorded_at": now})


def quarantine_rows(refused: Sequence[tuple[Choice, str]]) -> list[dict[str, Any]]:
    """import_quarantine rows for refused choices (entity arrangement_choice; the choice as JSON)."""
    out = []
    for c, why in refused:
        raw = json.dumps({k: getattr(c, k) for k in ("source", "external_id", "token", "option_no", "loan_id",
                                                     "option_id", "agent_id")}
                         | {"chosen_at": c.chosen_at.isoformat() if isinstance(c.chosen_at, datetime) else None},
                         ensure_ascii=False, default=str)
        rid = c.external_id[:MAX_ID] if isinstance(c.external_id, str) and c.external_id else None
        out.append(dict(source_file=c.source_file or f"<{c.source}>", source_line=c.source_line, entity=ENTITY,
                        record_id=rid, reason=why[:500], raw=raw[:reader.RAW_LIMIT]))
    return out


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` is inside an explicit transaction: in auto-commit, each statement is its own
    transaction with its own id; inside one, two statements share it."""
    first = db.scalar(con, "SELECT txid_current()")
    return bool(first == db.scalar(con, "SELECT txid_current()"))


def _transaction(con: duckdb.DuckDBPyConnection) -> AbstractContextManager[Any]:
    """db.transaction, unless `con` is already in one (then the caller's commits or rolls back)."""
    return nullcontext(con) if in_transaction(con) else db.transaction(con)
