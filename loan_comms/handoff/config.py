"""The [handoff] section of config/lifecycle.toml: which partner takes a case at the end of the
ladder, and where its case files go.

The step that hands off is a ladder step flag (`handoff = true` on the last [[ladder]] step,
validated in loan_comms/config.py); this section says who receives the case and where the files are
written. What counts as handed off is documented in docs/collectors/handoff.md and decided in
sql/handoff/state.sql.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Suppression reasons of the hand-off step that do NOT hand the case off although the step counts as
# taken (step_taken): the debt may not be pursued at all while they hold (a death: the bereavement
# process; bankruptcy: the automatic stay; breathing space: the moratorium on enforcement). Every other
# reason step_taken counts (no address, opted out, cease-contact, attorney, ...) means only that the
# hand-off notice could never reach the person: the case still goes to the partner.
BARRED_REASONS: tuple[str, ...] = ("deceased", "bankruptcy", "breathing_space")


class Handoff(BaseModel):
    """partner: the id of the legal or agency partner the cases go to (ids, letters, digits, - and _:
    it names the partner's folder and files). dir: where the case files are written, one folder per
    partner, relative to the database's folder unless absolute. Readable by the owner only (0700
    folders, 0600 files): the case file is the one place the borrower's name and numbers leave."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partner: str = Field(default="agency-1", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    dir: str = Field(default="exports/handoff", min_length=1)
