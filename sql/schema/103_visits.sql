-- Field visits (issue 16, part D): where the borrower is, and the day's visit plan. Idempotent.
--   borrowers.city / borrowers.district  where a home visit would go (importable, optional; the
--       synthetic book fills them). No postal address is kept here: the field sheet names the city,
--       district and borrower id, and the lender's CRM gives the team the address (docs/collectors/visits.md).
--   visit_assignments  every visit the policy let through on a plan day (and each the gate suppressed
--       no_field_pair, recorded carried with that reason): the pair of field agents
--       (skill 'field') who go, in which work_date's shift, in which slot, in which order of their
--       round (route_order: grouped by city then district), or why it was carried (outcome 'carried':
--       the contact_attempts row is suppressed with the same reason): 'field_capacity' (no pair with a
--       free slot that day: transient, the ladder proposes the visit again the next allowed day) or
--       'no_field_pair' (no city on file, or no two field agents cover the city with one speaking the
--       borrower's language: standing, the visit is a step that cannot be made and the ladder moves
--       on). Written with the plan of the day (loan_comms/visits/plan.py, in the plan's record
--       transaction, anti-join on attempt_id), so a replayed day writes nothing new. Ids only.
ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS city VARCHAR;
ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS district VARCHAR;

CREATE TABLE IF NOT EXISTS visit_assignments (
    attempt_id    VARCHAR PRIMARY KEY,             -- the visit's contact_attempts row
    plan_date     DATE NOT NULL,                   -- the borrower's local day (planned_for_date)
    borrower_id   VARCHAR NOT NULL,
    loan_id       VARCHAR,
    city          VARCHAR,                         -- as on file when planned (NULL: unknown)
    district      VARCHAR,
    route_order   INTEGER,                         -- the pair's order of visits that day (1 = first)
    agent_ids     VARCHAR[],                       -- the pair (NULL when carried)
    work_date     DATE,                            -- the agents' local date of the shift it fills (agent_days)
    slot_start    TIMESTAMPTZ,                     -- UTC: inside the borrower's window and both shifts
    slot_end      TIMESTAMPTZ,
    carried_days  INTEGER NOT NULL DEFAULT 0,      -- earlier plan days this visit was carried for field_capacity
    outcome       VARCHAR NOT NULL,                -- assigned | carried
    reason        VARCHAR,                         -- carried: field_capacity | no_field_pair
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS visit_assignments_day ON visit_assignments (plan_date);
