"""What a day looked like, for people: a table, a markdown summary, a one-screen text.

No names, phone numbers or emails ever appear here: only counts, steps, channels and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from loan_comms import db


@dataclass
class DaySummary:
    as_of: date
    contacts: list[dict[str, Any]]
    suppressed: list[dict[str, Any]]
    failures: list[dict[str, Any]]

    def totals(self) -> dict[str, int]:
        keys = ("planned", "sent", "delivered", "failed", "suppressed", "total")
        return {k: sum(int(r[k]) for r in self.contacts) for k in keys}

    def by(self, key: str, status: str = "sent") -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.contacts:
            out[r[key]] = out.get(r[key], 0) + int(r[status]) + (int(r["delivered"]) if status == "sent" else 0)
        return {k: v for k, v in out.items() if v}

    def markdown(self, title: str = "") -> str:
        t = self.totals()
        lines = [f"# {title or 'Contacts for ' + str(self.as_of)}", "",
                 f"**{t['total']}** contacts considered: **{t['sent'] + t['delivered']}** sent "
                 f"({t['delivered']} delivered), **{t['planned']}** still planned, **{t['failed']}** failed, "
                 f"**{t['suppressed']}** suppressed.", "",
                 "## By step and channel", "",
                 "| purpose | step | channel | language | sent | delivered | planned | failed | suppressed |",
                 "|---|---|---|---|---:|---:|---:|---:|---:|"]
        for r in self.contacts:
            lines.append(f"| {r['purpose']} | {r['step']} | {r['channel']} | {r['language']} | {r['sent']} | "
                         f"{r['delivered']} | {r['planned']} | {r['failed']} | {r['suppressed']} |")
        lines += ["", "## Sent by channel and by language", ""]
        by_channel, by_language = self.by("channel"), self.by("language")
        if by_channel:
            lines += ["| channel | sent |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in sorted(by_channel.items())]
            lines += ["", "| language | sent |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(by_language.items())]
        else:
            lines.append("Nothing sent yet.")
        lines += ["", "## Cap pressure", ""]
        caps = self.cap_pressure()
        if caps:
            lines += ["| cap | borrowers who hit it | contacts held back |", "|---|---:|---:|"]
            lines += [f"| {r['reason']} | {r['borrowers']} | {r['contacts']} |" for r in caps]
        else:
            lines.append("No borrower hit a cap.")
        lines += ["", "## Suppressed, by reason", ""]
        if self.suppressed:
            lines += ["| reason | contacts | borrowers |", "|---|---:|---:|"]
            lines += [f"| {r['reason']} | {r['contacts']} | {r['borrowers']} |" for r in self.suppressed]
        else:
            lines.append("None.")
        lines += ["", "## Failures", ""]
        if self.failures:
            lines += ["| error | channel | contacts |", "|---|---|---:|"]
            lines += [f"| {r['error']} | {r['channel']} | {r['contacts']} |" for r in self.failures]
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"

    def cap_pressure(self) -> list[dict[str, Any]]:
        """Suppressions by a frequency cap (cap_* reasons): how many borrowers hit each cap."""
        return [r for r in self.suppressed if str(r["reason"]).startswith("cap_")]

    def one_line(self) -> str:
        t = self.totals()
        chans = " ".join(f"{k}={v}" for k, v in sorted(self.by("channel").items()))
        top = ", ".join(f"{r['reason']} {r['contacts']}" for r in self.suppressed[:4])
        return (f"{self.as_of}  sent {t['sent'] + t['delivered']:>6} [{chans}]  "
                f"suppressed {t['suppressed']:>5}{' (' + top + ')' if top else ''}"
                f"{'  failed ' + str(t['failed']) if t['failed'] else ''}")


def day_summary(con: duckdb.DuckDBPyConnection, as_of: date) -> DaySummary:
    params = {"as_of": as_of}
    return DaySummary(
        as_of=as_of,
        contacts=db.rows(con, "report/day_contacts", params),
        suppressed=db.rows(con, "report/day_suppressed", params),
        failures=db.rows(con, "report/day_failures", params),
    )
