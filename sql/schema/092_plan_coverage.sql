-- Plan coverage (issue 15, review fix): which loans an offer was computed on, and exactly which
-- contractual installments an accepted plan absorbs. A plan never covers more than its offer did
-- (a loan that fell into arrears after the offer is not swept in at the decision), and a kept plan
-- settles only what its own schedule was computed from (sql/lifecycle/state/installment_state.sql),
-- never every installment up to its end.

-- arrangement_offer_loans: the loans an offer's arrears were computed on (scope 'borrower': every
-- loan of the borrower in arrears in the offer's currency then; 'loan': the offer's loan), recorded
-- with the offer (sql/arrangements/record_offer_loans.sql). A choice from the offer is recomputed on
-- these loans only (accept.land_choices); an offer without rows here covers its own loan only.
CREATE TABLE IF NOT EXISTS arrangement_offer_loans (
    token    VARCHAR NOT NULL,
    loan_id  VARCHAR NOT NULL,
    arrears  DECIMAL(18, 2) NOT NULL,         -- the loan's arrears when offered
    PRIMARY KEY (token, loan_id)
);

-- arrangement_covered_installments: the contractual installments (loan_id, installment_no) a plan
-- absorbs, with what was outstanding on each at the decision (the amount the plan's schedule was
-- computed from; sql/arrangements/options.sql `absorbs`). Written when the plan is decided (accepted
-- by the rules, or approved: the approval recomputes the plan and rewrites these rows); a request
-- waiting for review holds the rows of its request instant. When the plan is kept, these and only
-- these are settled by the plan (by_plan).
CREATE TABLE IF NOT EXISTS arrangement_covered_installments (
    arrangement_id  VARCHAR NOT NULL,
    loan_id         VARCHAR NOT NULL,
    installment_no  INTEGER NOT NULL,
    outstanding     DECIMAL(18, 2) NOT NULL,  -- unpaid on it at the decision (what the plan took over)
    PRIMARY KEY (arrangement_id, loan_id, installment_no)
);
