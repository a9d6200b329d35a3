-- Repayment arrangements (issue 15): offers with their options, the plans agreed or asked for,
-- their schedules and the records exported to the core banking system. The ledger stays the
-- lender's: nothing here rewrites a loan. What happened to a plan (accepted, approved, declined,
-- paid, missed, broken, kept) is told by borrower_events (kinds arrangement_*), the log the audit reads;
-- a plan's state on a day is derived from these tables and the payments (sql/arrangements/state.sql).

-- arrangement_offers: one row per planned contact that carries an offer (config OFFER_STEPS:
-- hardship_offer, forbearance_offer, arrangement_reoffer, arrangement_declined),
-- recorded with the contact. The token is in the link and names the offer in the SMS menu's reply.
CREATE TABLE IF NOT EXISTS arrangement_offers (
    token         VARCHAR PRIMARY KEY,        -- HMAC-SHA256(key, 'plan:' || attempt_id), base64url, 22 chars
    attempt_id    VARCHAR NOT NULL UNIQUE,    -- the offer-bearing contact in contact_attempts
    borrower_id   VARCHAR NOT NULL,
    loan_id       VARCHAR NOT NULL,           -- the loan the offer is about (the plan's first loan)
    currency      VARCHAR NOT NULL,
    arrears       DECIMAL(18, 2) NOT NULL,    -- overdue on the covered loans when offered
    dpd           INTEGER NOT NULL,
    channel       VARCHAR NOT NULL,           -- sms | email | letter
    language      VARCHAR NOT NULL,
    step          VARCHAR NOT NULL,           -- the offer-bearing step
    offered_on    DATE NOT NULL,              -- the borrower's local day of the contact
    expires_at    TIMESTAMPTZ NOT NULL        -- the link and the menu close: offer_valid_days later
);

-- arrangement_offer_options: the options an offer showed, numbered as the menu numbers them.
CREATE TABLE IF NOT EXISTS arrangement_offer_options (
    token            VARCHAR NOT NULL,
    option_no        INTEGER NOT NULL,        -- 1, 2, 3 ... ("reply 1 for ...")
    option_id        VARCHAR NOT NULL,        -- [arrangements.options.<id>]
    kind             VARCHAR NOT NULL CHECK (kind IN ('payment_holiday', 'reduced_payment', 'respread', 'freeze')),
    months           INTEGER NOT NULL,
    payment          DECIMAL(18, 2) NOT NULL, -- the plan's usual monthly payment (0 for a holiday)
    total            DECIMAL(18, 2) NOT NULL, -- sum of the schedule
    freeze_interest  BOOLEAN NOT NULL,
    needs_review     BOOLEAN NOT NULL,        -- outside the automatic rules: a person decides
    schedule         VARCHAR NOT NULL,        -- JSON [{"no": 1, "due_date": "2026-12-05", "amount": "420.00"}, ...]
    PRIMARY KEY (token, option_no)
);

-- arrangements: every plan agreed or asked for, from the page, the SMS menu or an agent.
-- status is the DECISION only (a person's or the rules'): pending_review -> active | declined;
-- whether an active plan is on track, missed, broken or kept is derived per day (state.sql) and
-- told by events. Never deleted.
CREATE TABLE IF NOT EXISTS arrangements (
    arrangement_id   VARCHAR PRIMARY KEY,     -- short hash of the request's external_id
    borrower_id      VARCHAR NOT NULL,
    loan_id          VARCHAR NOT NULL,        -- the first covered loan
    currency         VARCHAR NOT NULL,
    option_id        VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL CHECK (kind IN ('payment_holiday', 'reduced_payment', 'respread', 'freeze')),
    months           INTEGER NOT NULL,
    freeze_interest  BOOLEAN NOT NULL,
    offer_token      VARCHAR,                 -- the offer taken up (NULL: an agent recorded it without one)
    option_no        INTEGER,
    source           VARCHAR NOT NULL CHECK (source IN ('web', 'sms', 'agent', 'file')),
    agent_id         VARCHAR,                 -- who recorded it (agent source) - an id, never a name
    status           VARCHAR NOT NULL CHECK (status IN ('pending_review', 'active', 'declined')),
    requested_at     TIMESTAMPTZ NOT NULL,    -- when the borrower (or agent) chose it
    decided_at       TIMESTAMPTZ,             -- accepted automatically, approved or declined
    decided_by       VARCHAR,                 -- 'rules' or the reviewer's id
    decision_reason  VARCHAR,                 -- why declined (told to the borrower), or approved
    starts_on        DATE NOT NULL,           -- the plan's first day (its first payment is due after)
    ends_on          DATE NOT NULL,           -- the last plan due date (holiday: its last day)
    external_id      VARCHAR NOT NULL UNIQUE, -- the choice's own id: page submission, SMS sid, agent file row
    recorded_at      TIMESTAMPTZ NOT NULL
);

-- The loans a plan covers (scope 'borrower': every loan of the person in arrears when accepted,
-- same currency), with each loan's arrears then. The ladder stops on each of them while it is active.
CREATE TABLE IF NOT EXISTS arrangement_loans (
    arrangement_id  VARCHAR NOT NULL,
    loan_id         VARCHAR NOT NULL,
    arrears         DECIMAL(18, 2) NOT NULL,
    PRIMARY KEY (arrangement_id, loan_id)
);

-- The plan's own installments: what the borrower agreed to pay and when (empty for a holiday).
CREATE TABLE IF NOT EXISTS arrangement_installments (
    arrangement_id  VARCHAR NOT NULL,
    installment_no  INTEGER NOT NULL,
    due_date        DATE NOT NULL,
    amount          DECIMAL(18, 2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (arrangement_id, installment_no)
);

-- What goes to the core banking system, once and only once: one record per plan event
-- (accepted, broken, kept), written to the day's export files and POSTed to [arrangements.export].url.
-- Claimed ('sending') before the request leaves; an answer lost in flight leaves 'unknown', and
-- an unknown record is looked up (lookup_url) before it is ever sent again.
CREATE TABLE IF NOT EXISTS arrangement_exports (
    export_id       VARCHAR PRIMARY KEY,      -- arrangement_id || ':' || event
    arrangement_id  VARCHAR NOT NULL,
    event           VARCHAR NOT NULL CHECK (event IN ('accepted', 'broken', 'kept')),
    payload         VARCHAR NOT NULL,         -- the JSON record, byte for byte what is signed and sent
    created_at      TIMESTAMPTZ NOT NULL,
    file_day        DATE,                     -- the export file it was written to (NULL: not yet)
    status          VARCHAR NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'unknown', 'delivered', 'failed')),
    tries           INTEGER NOT NULL DEFAULT 0,
    claimed_at      TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    error           VARCHAR
);
