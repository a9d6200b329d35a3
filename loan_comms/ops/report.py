"""What a day looked like, for people: a table, a markdown summary, a one-screen text.

No names, phone numbers or emails ever appear here: only counts, steps, channels and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from loan_comms import db
from loan_comms.masking import mask_pii

if TYPE_CHECKING:
    from loan_comms.delivery.dispatch import DispatchReport
    from loan_comms.lifecycle.planner import PlanReport


@dataclass
class DaySummary:
    as_of: date
    contacts: list[dict[str, Any]]
    suppressed: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    # the repayment-plan review queue when the run counted it ({"waiting", "overdue"}; check_plan_reviews)
    plan_requests: dict[str, int] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """Counts for the day. `lost` (window closed unsent after a send error) is part of
        `suppressed`; `outcome_unknown` (answer lost, never re-sent) is part of `sent`."""
        keys = ("planned", "sent", "delivered", "failed", "suppressed", "outcome_unknown", "lost", "total")
        return {k: sum(int(r.get(k, 0)) for r in self.contacts) for k in keys}

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
                 *self._delivery_problems(t),
                 *self._plan_requests(),
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
        lines += ["", "## Failures (failed, and lost to delivery failures)", ""]
        if self.failures:
            lines += ["| error | channel | contacts |", "|---|---|---:|"]
            lines += [f"| {r['error']} | {r['channel']} | {r['contacts']} |" for r in self.failures]
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _delivery_problems(t: dict[str, int]) -> list[str]:
        """The markdown lines for lost and unknown-outcome contacts; none on a healthy day."""
        lines = []
        if t["lost"]:
            lines += [f"**{t['lost']}** lost to delivery failures: tried, or held back by a failing provider, "
                      "and their window closed unsent (counted in suppressed, apart from ordinary window_missed).", ""]
        if t["outcome_unknown"]:
            lines += [f"**{t['outcome_unknown']}** sent with an unknown outcome: the provider's answer was lost; "
                      "counted as sent, never re-sent, waiting for a receipt or reconciliation.", ""]
        return lines

    def _plan_requests(self) -> list[str]:
        """The markdown lines for the plan review queue, when counted; loud when any is overdue."""
        if not self.plan_requests:
            return []
        waiting, overdue = self.plan_requests.get("waiting", 0), self.plan_requests.get("overdue", 0)
        if overdue:
            return [f"**{overdue} repayment-plan request(s) OVERDUE** for review ({waiting} waiting): the ladder "
                    "stays held on their loans until a person decides (`loan-comms arrangements review`).", ""]
        return [f"{waiting} repayment-plan request(s) waiting for review, none overdue.", ""]

    def cap_pressure(self) -> list[dict[str, Any]]:
        """Suppressions by a frequency cap (cap_* reasons): how many borrowers hit each cap."""
        return [r for r in self.suppressed if str(r["reason"]).startswith("cap_")]

    def one_line(self) -> str:
        t = self.totals()
        chans = " ".join(f"{k}={v}" for k, v in sorted(self.by("channel").items()))
        top = ", ".join(f"{r['reason']} {r['contacts']}" for r in self.suppressed[:4])
        return (f"{self.as_of}  sent {t['sent'] + t['delivered']:>6} [{chans}]  "
                f"suppressed {t['suppressed']:>5}{' (' + top + ')' if top else ''}"
                f"{'  failed ' + str(t['failed']) if t['failed'] else ''}"
                f"{'  LOST to delivery failures ' + str(t['lost']) if t['lost'] else ''}"
                f"{'  outcome unknown ' + str(t['outcome_unknown']) if t['outcome_unknown'] else ''}"
                f"{'  plan reviews OVERDUE ' + str(overdue) if (overdue := self.plan_requests.get('overdue')) else ''}")


def day_summary(con: duckdb.DuckDBPyConnection, as_of: date) -> DaySummary:
    params = {"as_of": as_of}
    return DaySummary(
        as_of=as_of,
        contacts=db.rows(con, "ops/report/day_contacts", params),
        suppressed=db.rows(con, "ops/report/day_suppressed", params),
        failures=db.rows(con, "ops/report/day_failures", params),
    )


def plan_preview_markdown(report: PlanReport) -> str:
    """What a dry run would have recorded: planned contacts by purpose/step/channel, suppressions."""
    lines = [f"# Dry run for {report.as_of}: nothing was recorded or sent", "",
             f"**{report.candidates}** candidates; **{report.planned_total}** would be planned, "
             f"**{sum(report.suppressed.values())}** suppressed, **{sum(report.render_failed.values())}** "
             f"could not be rendered, {report.already_recorded} already recorded by an earlier run.", "",
             "## Would be planned", ""]
    if report.planned:
        lines += ["| purpose | step | channel | contacts |", "|---|---|---|---:|"]
        lines += [f"| {p} | {s} | {c} | {n} |" for (p, s, c), n in sorted(report.planned.items())]
    else:
        lines.append("None.")
    lines += ["", "## Would be suppressed, by reason", ""]
    if report.suppressed:
        lines += ["| reason | contacts |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(report.suppressed.items(), key=lambda kv: -kv[1])]
    else:
        lines.append("None.")
    if report.render_failed:
        lines += ["", "## Render failures", "", "| error | contacts |", "|---|---:|"]
        lines += [f"| {mask_pii(str(e))[:120]} | {n} |" for e, n in report.render_failed.most_common(20)]
    return "\n".join(lines) + "\n"


def dispatch_markdown(report: DispatchReport) -> str:
    """One dispatch pass for the UI: due, sent, failed and retried by channel; failure reasons."""
    d = report.as_dict()
    chans = sorted(set(d["due"]) | set(d["sent"]) | set(d["failed"]) | set(d["retry_later"]))
    lines = [f"# Dispatch at {report.now:%Y-%m-%d %H:%M} UTC{' (dry run: nothing sent)' if report.dry_run else ''}",
             "", f"{report.batches} batches in {report.elapsed_s:.1f}s.", ""]
    if d["halted"]:
        lines += ["## Halted: these channels stopped for this pass, their contacts stay planned", ""]
        lines += [f"- **{c}**: {mask_pii(why)}" for c, why in sorted(d["halted"].items())] + [""]
    if chans:
        lines += ["| channel | due | sent | of which outcome unknown | failed | retry later |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {c} | {d['due'].get(c, 0)} | {d['sent'].get(c, 0)} | {d['unknown'].get(c, 0)} | "
                  f"{d['failed'].get(c, 0)} | {d['retry_later'].get(c, 0)} |" for c in chans]
    else:
        lines.append("Nothing was due.")
    if d["cancelled"]:
        lines += ["", "## Suppressed at the re-check before sending", "", "| reason | contacts |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(d["cancelled"].items(), key=lambda kv: -kv[1])]
    if d["failure_reasons"]:
        lines += ["", "## Failures", "", "| reason | contacts |", "|---|---:|"]
        lines += [f"| {mask_pii(r)} | {n} |" for r, n in sorted(d["failure_reasons"].items(), key=lambda kv: -kv[1])]
    return "\n".join(lines) + "\n"
