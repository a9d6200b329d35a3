"""The visit plan of a day for people: printed by city, district and pair, and one CSV per pair.

What leaves here is masked: loan and borrower ids, the place as city and district, the slot on the
borrower's clock; never a name, phone, e-mail or address. The book has no postal address column
(docs/collectors/visits.md): the field team takes the address from the lender's CRM by borrower id,
so no address is copied into sheets, artifacts or logs here.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.calls.roster import agent_slug, file_names

SHEET_COLUMNS: tuple[str, ...] = ("route_order", "slot_from_local", "slot_to_local", "timezone", "city", "district",
                                  "borrower_id", "loan_id", "attempt_id", "step", "language", "pair", "work_date",
                                  "status")
CARRY_WARN_DAYS = 5   # a visit carried this many plan days says so: the field roster may not fit the place


@dataclass
class VisitPlan:
    """The plan of one day: assigned rows in city, district, pair, route order; carried rows with reasons."""

    as_of: date
    assigned: list[dict[str, Any]] = field(default_factory=list)
    carried: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pairs(self) -> list[str]:
        return sorted({r["pair"] for r in self.assigned})

    @property
    def carried_by_reason(self) -> Counter[str]:
        return Counter(r["reason"] for r in self.carried)

    def __str__(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.carried_by_reason.items())) or "none"
        return (f"visit plan {self.as_of}: {len(self.assigned)} visits assigned to {len(self.pairs)} pairs, "
                f"{len(self.carried)} carried ({reasons})")

    def lines(self) -> list[str]:
        """The plan as printed lines: by city / district and pair, each visit in route order."""
        out = [str(self)]
        key = lambda r: (r["city"], r["district"], r["pair"], r["work_date"])  # noqa: E731
        for (city, district, pair, work_date), rows in groupby(self.assigned, key=key):
            out.append(f"{city} / {district or '-'}: pair {pair} (work date {work_date})")
            for r in rows:
                out.append(f"  {r['route_order']:>2}. {r['slot_from_local']}-{r['slot_to_local']} {r['timezone']}  "
                           f"borrower {r['borrower_id']}  loan {r['loan_id']}  {r['step']}  {r['language']}  [{_became(r)}]")
        if self.carried:
            out.append("carried (the contact is suppressed with the same reason):")
            for r in self.carried:
                days = f", carried {r['carried_days']} earlier day(s)" if r["carried_days"] else ""
                warn = " - check the field roster for this place" if r["carried_days"] >= CARRY_WARN_DAYS else ""
                out.append(f"  borrower {r['borrower_id']}  loan {r['loan_id']}  "
                           f"{r['city'] or '(no city on file)'} / {r['district'] or '-'}: {r['reason']}{days}{warn}")
        return out

    def markdown(self) -> str:
        """The plan's totals for an artifact: visits per city, district and pair; carried by reason."""
        md = [f"# Visit plan for {self.as_of}", "", f"**{len(self.assigned)}** visits assigned to "
              f"**{len(self.pairs)}** pairs of field agents, **{len(self.carried)}** carried.", ""]
        if self.assigned:
            md += ["| city | district | pair | visits | first slot (local) | last slot ends (local) |",
                   "|---|---|---|---:|---|---|"]
            key = lambda r: (r["city"], r["district"], r["pair"])  # noqa: E731
            for (city, district, pair), grp in groupby(self.assigned, key=key):
                rows = list(grp)
                md.append(f"| {city} | {district or '-'} | {pair} | {len(rows)} | {rows[0]['slot_from_local']} "
                          f"{rows[0]['timezone']} | {rows[-1]['slot_to_local']} |")
        if self.carried:
            md += ["", "| carried: reason | visits |", "|---|---:|"]
            md += [f"| {k} | {v} |" for k, v in sorted(self.carried_by_reason.items())]
        return "\n".join(md) + "\n"

    def table(self) -> list[dict[str, Any]]:
        """Rows for a table artifact: the sheet's columns (ids, place, slot), plain JSON types."""
        return [{c: (str(r[c]) if r[c] is not None and not isinstance(r[c], (int, str, float)) else r[c])
                 for c in SHEET_COLUMNS} for r in self.assigned]

    def export(self, folder: Path) -> list[Path]:
        """One CSV per pair (visit-plan-<day>-<pair>.csv, the field sheet) and one of the carried visits;
        returns the files written. Re-exporting a day rewrites the same files."""
        folder.mkdir(parents=True, exist_ok=True)
        file_names("pairs", self.pairs, agent_slug)   # two pairs, one sheet: stop (the roster refuses it)
        written: list[Path] = []
        for pair, rows in groupby(sorted(self.assigned, key=lambda r: (r["pair"], r["slot_start"])),
                                  key=lambda r: r["pair"]):
            path = folder / f"visit-plan-{self.as_of.isoformat()}-{agent_slug(pair)}.csv"
            _write(path, SHEET_COLUMNS, list(rows))
            written.append(path)
        if self.carried:
            path = folder / f"visit-plan-{self.as_of.isoformat()}-carried.csv"
            _write(path, ("borrower_id", "loan_id", "attempt_id", "step", "city", "district", "reason",
                          "carried_days"), self.carried)
            written.append(path)
        return written


def _became(r: dict[str, Any]) -> str:
    """What became of an assigned visit: cancelled at the re-check before it went, the field outcome, or its status."""
    if r["suppressed_reason"]:
        return f"cancelled before it went: {r['suppressed_reason']}"
    if r["field_outcome"]:
        return f"field outcome {r['field_outcome']}"
    return str(r["status"])


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c) for c in columns})


def read_visit_plan(con: duckdb.DuckDBPyConnection, as_of: date) -> VisitPlan:
    """The recorded visit plan of plan day `as_of` (visit_assignments), masked."""
    rows = db.rows(con, "visits/day_plan", {"as_of": as_of})
    return VisitPlan(as_of=as_of, assigned=[r for r in rows if r["outcome"] == "assigned"],
                     carried=[r for r in rows if r["outcome"] == "carried"])


__all__ = ["SHEET_COLUMNS", "VisitPlan", "read_visit_plan"]
