"""The simulated borrowers' response to contact intensity: a simulation assumption, not a finding.

Strategy experiments (issue 19) compare a champion ladder with a challenger that contacts less. In
a simulator where contact changes nothing, every challenger that contacts less "wins", and in one
where each contact adds the same chance to pay, every challenger that contacts more does: neither
demo would mean anything. So the simulated borrowers follow one assumed curve of *intensity*: the
contacts made to them in the last 7 local days (every non-survey contact sent, delivered or dialled,
today's included; the macro contact_intensity in sql/schema/005_macros.sql counts them once for
every draw).

- **Paying.** A delinquent borrower contacted on a day pays their arrears within a few days with
  probability `contact_pay_base x pay[intensity]`. The multiplier is 1 at one contact, rises to a
  peak at 3 (a reminder that is noticed, then a call), falls back to 1 between 5 and 6 contacts,
  and below it after (the borrower stops reading, or answering, a lender who calls every day).
- **Complaining and opting out.** The base rates of complaints (agents' and by SMS) and of opt-outs
  (STOP replies, e-mail unsubscribes, cease-contact requests) are rates at one contact in 7 days;
  each is multiplied by `complaint[intensity]` or `opt_out[intensity]`, which only rise: complaints
  convexly (annoyance compounds), opt-outs about linearly.

Each curve is a tuple indexed by intensity from 1; its last value holds for every higher
intensity. The numbers are illustrative, chosen so that an experiment whose challenger drops a
step or two can cure as many loans with fewer complaints. They are not estimated from any data,
and a readout from the simulator shows only what this curve puts in.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Curve = Literal["pay", "complaint", "opt_out"]


class ResponseModel(BaseModel):
    """Multipliers by contacts in the last 7 local days (index 0 = one contact), and the base chance
    that a contacted delinquent borrower pays (sql/simulation/contact_payments.sql)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pay: tuple[float, ...] = (1.00, 1.30, 1.45, 1.30, 1.10, 0.90, 0.75, 0.60, 0.50)
    complaint: tuple[float, ...] = (1.00, 1.25, 1.60, 2.00, 2.50, 3.10, 3.80, 4.60, 5.50)
    opt_out: tuple[float, ...] = (1.00, 1.30, 1.60, 1.90, 2.20, 2.50, 2.80, 3.10, 3.40)
    contact_pay_base: float = Field(default=0.06, gt=0, lt=1)
    pay_within_days: int = Field(default=3, ge=1, le=14)

    @model_validator(mode="after")
    def _check(self) -> ResponseModel:
        for name in ("pay", "complaint", "opt_out"):
            curve: tuple[float, ...] = getattr(self, name)
            if len(curve) < 2:
                raise ValueError(f"{name}: at least two points (1 contact, then more)")
            if curve[0] != 1.0:
                raise ValueError(f"{name}: the multiplier at one contact is 1.0 (the base rates are rates at one contact)")
            if any(not 0 < m <= 10 for m in curve):
                raise ValueError(f"{name}: every multiplier is above 0 and at most 10, got {curve}")
        for name in ("complaint", "opt_out"):
            curve = getattr(self, name)
            if any(b < a for a, b in zip(curve, curve[1:])):
                raise ValueError(f"{name}: never falls as intensity rises, got {curve}")
        if self.contact_pay_base * max(self.pay) > 1:
            raise ValueError("contact_pay_base x the pay peak is a probability: at most 1")
        return self

    def multiplier(self, curve: Curve, contacts_7d: int) -> float:
        """The curve's multiplier at `contacts_7d` contacts (below 1 counts as 1; past the end, the last value)."""
        points: tuple[float, ...] = getattr(self, curve)
        return points[min(max(contacts_7d, 1), len(points)) - 1]

    def params(self) -> dict[str, Any]:
        """The bound parameters the simulation SQL reads the model from ($pay_curve, ...)."""
        return {"pay_curve": list(self.pay), "complaint_curve": list(self.complaint),
                "opt_out_curve": list(self.opt_out), "contact_pay_base": self.contact_pay_base,
                "pay_within_days": self.pay_within_days}


RESPONSE = ResponseModel()
