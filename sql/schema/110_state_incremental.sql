-- Incremental state (issue 17): what the daily state derivation keeps from one day to the next, so
-- that a day derives again only the loans whose payments, repayment plan or schedule changed
-- (sql/lifecycle/state/stale_loans.sql) instead of applying every payment of the book to every
-- installment again. Derived, never a source: written only by the plan's record transaction
-- (loan_comms/lifecycle/planner.py record -> loan_comms/policy/engine.py store_state), and only when
-- the day's instant is not older than what is stored, so re-running any day changes nothing.
-- Emptying these tables loses nothing: the next day derives the whole book once and stores it.
--   state_installments  installment_state (sql/lifecycle/state/installment_state.sql) as derived at
--                       state_watermark.derived_at: every installment, payments applied oldest first.
--   state_loans         one row per loan of `loans` whose state is stored: its borrower, oldest unpaid
--                       installment and due date and outstanding total (NULL, NULL, 0: all paid), and
--                       with_plan: a kept repayment plan settled it (its rows depend on the day, so it
--                       is derived again every day). The importer deletes the row of a loan whose
--                       schedule it changes (sql/book/import/forget_state.sql): derived again next.
--   state_watermark     one row (id 1): the instant the stored state is derived at (the $now of that
--                       day's plan) and the last 'payment' event it had seen (through_event_id); a
--                       payment recorded after it, or dated after derived_at, makes its loan stale.
-- No primary keys on the two large tables: every write replaces whole loans (delete, then insert the
-- loans derived again), and an index would only slow those writes.
CREATE TABLE IF NOT EXISTS state_installments (
    loan_id         VARCHAR NOT NULL,
    borrower_id     VARCHAR NOT NULL,
    installment_no  INTEGER NOT NULL,
    due_date        DATE NOT NULL,
    amount_due      DECIMAL(18, 2) NOT NULL,
    paid_amount     DECIMAL(38, 2) NOT NULL,
    outstanding     DECIMAL(38, 2) NOT NULL,
    settled_at      TIMESTAMPTZ,
    by_plan         BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS state_loans (
    loan_id            VARCHAR NOT NULL,
    borrower_id        VARCHAR NOT NULL,
    oldest_unpaid_no   INTEGER,
    oldest_unpaid_due  DATE,
    outstanding_total  DECIMAL(38, 2) NOT NULL,
    with_plan          BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS state_watermark (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    derived_at        TIMESTAMPTZ NOT NULL,
    through_event_id  BIGINT NOT NULL
);
