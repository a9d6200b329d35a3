"""The [arrangements] section of config/lifecycle.toml: the repayment plans a borrower can be offered.

Each option is data: its kind (what the plan does), the loan products and jurisdictions it is for,
its eligibility (days past due, earlier broken plans, arrears band, hardship or vulnerability) and
its limits (minimum payment, term). The options a borrower sees are computed from the loan's real
arrears by SQL (sql/arrangements/options.sql) from these rows (temp table cfg_arrangement_options).

An option the automatic rules do not allow may still be *requested* when the looser review rules
allow it (a larger reduction, a third plan): it is shown as "needs approval", and a person approves
or declines it with a reason (the review queue). The borrower is told the outcome either way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KINDS: tuple[str, ...] = ("payment_holiday", "reduced_payment", "respread", "freeze")
# The contacts of a plan's life, each a follow-up step with its channels and severity below:
#   hardship_offer / forbearance_offer  (already follow-ups) now carry the options and the link
#   arrangement_confirmed   the plan agreed, with its schedule (after an acceptance or an approval)
#   arrangement_declined    a request a person declined, with the reason and the other options
#   arrangement_reminder    before each plan installment (purpose reminder, never collection)
#   arrangement_missed      a kind reminder after a missed plan payment (pay link, help line; the plan is
#                           still on, so it carries no new offer: the re-offer comes if the plan breaks)
#   arrangement_reoffer     after a break: the options again, before the ladder may resume
#   arrangement_kept        thanks: the plan is done and the loan is back to normal
STEPS: tuple[str, ...] = ("arrangement_confirmed", "arrangement_declined", "arrangement_reminder",
                          "arrangement_missed", "arrangement_reoffer", "arrangement_kept")
# Steps whose contact carries an offer (a link with its own token and the options as a menu).
OFFER_STEPS: tuple[str, ...] = ("hardship_offer", "forbearance_offer", "arrangement_reoffer", "arrangement_declined")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One arrangement product.

    kind:
      payment_holiday  nothing to pay for `months` months; the plan's schedule is empty and it is kept
                       when the holiday ends unbroken (the lender's ledger moves what was deferred);
      reduced_payment  `months` monthly payments of `percent` % of the loan's usual installment
                       (at least min_payment); the rest is deferred to the lender's ledger;
      respread         the arrears spread over `months` monthly payments, on top of the installments
                       that fall due in the term;
      freeze           `months` months of the usual installments only, the arrears frozen (no interest
                       or fees: `freeze_interest` is always true for it).
    Amounts are rounded to the currency's minor unit; a respread's last payment takes the remainder.

    Eligibility (automatic): min_dpd <= days past due <= max_dpd, earlier broken plans of the borrower
    <= max_broken, arrears within [min_arrears, max_arrears] (in the loan's currency; None: no bound),
    and when `requires` names flags, the borrower has at least one of them ("hardship": a hardship
    request in the last hardship_window_days; "vulnerable": flagged vulnerable now).
    review_max_broken / review_max_dpd: where only these looser bounds hold, the option is offered
    as "needs approval" (None: never). `needs_review = true` sends every request for it to a person.
    """

    kind: Literal["payment_holiday", "reduced_payment", "respread", "freeze"]
    label: dict[Literal["zh-CN", "en"], str] = {}
    products: tuple[str, ...] = ("*",)            # loan products, "*" = all
    jurisdictions: tuple[str, ...] = ("*",)       # policy profiles, "*" = all
    months: int = Field(ge=1, le=60)
    percent: int | None = Field(default=None, ge=1, le=99)      # reduced_payment only
    min_payment: float = Field(default=0, ge=0)
    max_term_months: int = Field(default=60, ge=1, le=120)
    min_dpd: int = Field(default=0, ge=0)
    max_dpd: int = Field(default=365, ge=0)
    max_broken: int = Field(default=1, ge=0)
    min_arrears: float | None = Field(default=None, ge=0)
    max_arrears: float | None = Field(default=None, ge=0)
    requires: tuple[Literal["hardship", "vulnerable"], ...] = ()
    freeze_interest: Literal["never", "always", "where_profile_asks"] = "where_profile_asks"
    needs_review: bool = False
    review_max_broken: int | None = Field(default=None, ge=0)
    review_max_dpd: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> "Option":
        if self.kind == "reduced_payment" and self.percent is None:
            raise ValueError("a reduced_payment option needs percent (the share of the usual installment, 1-99)")
        if self.kind != "reduced_payment" and self.percent is not None:
            raise ValueError(f"percent is for reduced_payment options only, not {self.kind}")
        if self.months > self.max_term_months:
            raise ValueError(f"months ({self.months}) is longer than max_term_months ({self.max_term_months})")
        if self.min_dpd > self.max_dpd:
            raise ValueError(f"min_dpd ({self.min_dpd}) is above max_dpd ({self.max_dpd})")
        if self.min_arrears is not None and self.max_arrears is not None and self.min_arrears > self.max_arrears:
            raise ValueError(f"min_arrears ({self.min_arrears}) is above max_arrears ({self.max_arrears})")
        if self.review_max_broken is not None and self.review_max_broken < self.max_broken:
            raise ValueError("review_max_broken must be at least max_broken (review loosens the automatic rules)")
        if self.review_max_dpd is not None and self.review_max_dpd < self.max_dpd:
            raise ValueError("review_max_dpd must be at least max_dpd (review loosens the automatic rules)")
        return self


class Export(_Strict):
    """Where accepted plans go for the core banking system (the ledger stays the source of truth).

    dir: JSON Lines + CSV files, one pair per day, relative to the database's folder unless absolute.
    url: the core-banking endpoint POSTed one JSON record per plan event, signed (HMAC-SHA256 of
    "<timestamp>.<body>" in X-LoanComms-Signature) with the secret from env LOAN_COMMS_ARRANGEMENT_SECRET
    or the Prefect Secret block `secret_block`; `lookup_url` (with {export_id}) answers whether a record
    arrived, so a send that may have arrived is reconciled before it is ever sent again.
    """

    dir: str = "exports/arrangements"
    url: str | None = None
    lookup_url: str | None = None
    secret_block: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    reconcile_after_seconds: int = Field(default=60, ge=0, le=86_400)


class Arrangements(_Strict):
    """Repayment arrangements (issue 15). See the module doc and docs/arrangements.md."""

    enabled: bool = True
    link_base: str = "https://pay.example.com/p/"           # + the offer's token
    token_key_block: str | None = None                      # else env LOAN_COMMS_PLAN_TOKEN_KEY
    offer_valid_days: int = Field(default=14, ge=1, le=90)  # the link and the SMS menu expire after this
    sms_menu_options: int = Field(default=3, ge=1, le=9)    # "reply 1 for ...", the first N automatic options
    hardship_window_days: int = Field(default=60, ge=1, le=365)   # "requires = hardship": a request this recent
    # the loans a plan covers, fixed when it is chosen: "borrower", the person's loans in arrears in the
    # plan's currency; "loan", the offer's loan only (sql/arrangements/options.sql scope_loans)
    scope: Literal["loan", "borrower"] = "borrower"
    reminder_days_before: tuple[int, ...] = (3, 0)    # plan-installment reminders, local days before each due date
    missed_after_days: int = Field(default=2, ge=0, le=30)    # a plan payment short this long after its due date: missed
    break_after_days: int = Field(default=14, ge=1, le=90)    # ... and this long: the plan is broken
    reoffer_wait_days: int = Field(default=7, ge=0, le=60)    # after a break, the ladder waits this long after the re-offer
    review_within_days: int = Field(default=2, ge=1, le=30)   # a request waits at most this long for a person
    channels: dict[str, tuple[Literal["sms", "email", "letter"], ...]] = {
        "arrangement_confirmed": ("sms", "email"), "arrangement_declined": ("sms", "email"),
        "arrangement_reminder": ("sms",), "arrangement_missed": ("sms",), "arrangement_reoffer": ("sms", "email"),
        "arrangement_kept": ("sms",)}
    severity: dict[str, int] = {
        "arrangement_confirmed": 98, "arrangement_declined": 97, "arrangement_reminder": 1,
        "arrangement_missed": 9, "arrangement_reoffer": 96, "arrangement_kept": 89}
    options: dict[str, Option] = {}
    export: Export = Export()

    @field_validator("channels", "severity")
    @classmethod
    def _known_steps(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - set(STEPS))
        if unknown:
            raise ValueError(f"unknown step {', '.join(unknown)}; the arrangement steps are {', '.join(STEPS)}")
        return value

    @field_validator("reminder_days_before")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 or d > 30 for d in value) or len(set(value)) != len(value):
            raise ValueError("each day must be 0..30 and listed once")
        return value

    @model_validator(mode="after")
    def _break_after_missed(self) -> "Arrangements":
        if self.break_after_days <= self.missed_after_days:
            raise ValueError(f"break_after_days ({self.break_after_days}) must be after missed_after_days "
                             f"({self.missed_after_days}): a kind reminder comes before a plan is called broken")
        return self

    def steps(self) -> list[tuple[str, tuple[str, ...], int]]:
        """(step, channels, severity) of each arrangement contact that has channels."""
        defaults = Arrangements.model_fields
        chans = {**defaults["channels"].default, **self.channels}
        sev = {**defaults["severity"].default, **self.severity}
        return [(s, tuple(chans.get(s, ())), int(sev.get(s, 0))) for s in STEPS if chans.get(s)] if self.enabled else []
