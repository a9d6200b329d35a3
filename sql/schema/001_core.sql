-- Core tables of loan-comms. Idempotent: every statement is CREATE ... IF NOT EXISTS.
-- Other tools read these names and columns: add columns, never rename.
-- Every timestamp is TIMESTAMPTZ and stored in UTC; local days come from borrowers.timezone.

CREATE TABLE IF NOT EXISTS borrowers (
    borrower_id   VARCHAR PRIMARY KEY,
    full_name     VARCHAR NOT NULL,
    first_name    VARCHAR,                         -- how templates greet; defaults from full_name
    phone_e164    VARCHAR,                         -- +8613812345678
    email         VARCHAR,
    language      VARCHAR NOT NULL CHECK (language IN ('zh-CN', 'en')),
    timezone      VARCHAR NOT NULL,                -- IANA name, e.g. Asia/Shanghai
    jurisdiction  VARCHAR NOT NULL DEFAULT 'default', -- policy profile in config/lifecycle.toml
    segment       VARCHAR NOT NULL DEFAULT 'consumer',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS loans (
    loan_id       VARCHAR PRIMARY KEY,
    borrower_id   VARCHAR NOT NULL,
    product       VARCHAR NOT NULL,
    principal     DECIMAL(18, 2) NOT NULL CHECK (principal >= 0),
    currency      VARCHAR NOT NULL,                -- ISO 4217
    opened_on     DATE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS installments (
    loan_id         VARCHAR NOT NULL,
    installment_no  INTEGER NOT NULL,
    due_date        DATE NOT NULL,
    amount_due      DECIMAL(18, 2) NOT NULL CHECK (amount_due >= 0),
    amount_paid     DECIMAL(18, 2) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
    paid_at         TIMESTAMPTZ,                   -- when amount_paid first reached amount_due
    PRIMARY KEY (loan_id, installment_no)
);

-- One row per contact the system ever considered: planned, sent, delivered, failed or suppressed.
-- Status only moves forward; rows are never deleted.
CREATE TABLE IF NOT EXISTS contact_attempts (
    attempt_id          VARCHAR PRIMARY KEY,       -- short hash of idempotency_key
    idempotency_key     VARCHAR NOT NULL UNIQUE,   -- borrower|loan|step|channel|day
    borrower_id         VARCHAR NOT NULL,
    loan_id             VARCHAR NOT NULL,
    installment_no      INTEGER,
    channel             VARCHAR NOT NULL CHECK (channel IN ('sms', 'email', 'call', 'letter', 'visit')),
    purpose             VARCHAR NOT NULL CHECK (purpose IN ('reminder', 'escalation', 'survey', 'follow_up')),
    step                VARCHAR NOT NULL,
    episode_id          VARCHAR,                   -- delinquency episode of an escalation step
    priority            INTEGER NOT NULL DEFAULT 0,
    amount_due          DECIMAL(18, 2),
    status              VARCHAR NOT NULL CHECK (status IN ('planned', 'sent', 'delivered', 'failed', 'suppressed')),
    suppressed_reason   VARCHAR,
    decided_by_rule     VARCHAR,                   -- the policy rule that allowed or suppressed it
    policy_version      VARCHAR,
    planned_for_date    DATE NOT NULL,             -- the borrower's local day
    send_after          TIMESTAMPTZ,               -- contact window opens (UTC)
    send_before         TIMESTAMPTZ,               -- contact window closes (UTC)
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    sent_at             TIMESTAMPTZ,
    delivered_at        TIMESTAMPTZ,
    provider            VARCHAR,
    provider_message_id VARCHAR,
    error               VARCHAR,
    send_tries          INTEGER NOT NULL DEFAULT 0,
    template_id         VARCHAR,
    template_version    VARCHAR,
    language            VARCHAR
);

-- Rendered wording of each planned text contact, kept apart so contact_attempts stays narrow.
CREATE TABLE IF NOT EXISTS contact_messages (
    attempt_id   VARCHAR PRIMARY KEY,
    subject      VARCHAR,
    body_text    VARCHAR,
    body_html    VARCHAR
);

-- What the borrower did or what happened to them. kind is one of:
--   payment            loan_id, amount                                 (applied oldest installment first)
--   sms_reply          detail {"text": "..."}                         (raw inbound text, classified into the kinds below)
--   opt_out / opt_in   channel = sms | email | call                    (from the next contact on)
--   cease_contact / cease_contact_revoked                              (no collection contact while active)
--   dispute / dispute_resolved          loan_id                        (ladder paused for that loan)
--   hardship_request   loan_id                                         (ladder paused, plan offered)
--   promise_to_pay     loan_id, detail {"promised_date": "2026-12-01", "amount": "300.00"}
--   call_outcome       loan_id, detail {"outcome": "no_answer|reached|promise_to_pay|wrong_number", "attempt_id": "..."}
--   email_unsubscribe  is recorded as opt_out with channel = 'email'.
CREATE SEQUENCE IF NOT EXISTS borrower_events_seq;
CREATE TABLE IF NOT EXISTS borrower_events (
    event_id      BIGINT PRIMARY KEY DEFAULT nextval('borrower_events_seq'),
    borrower_id   VARCHAR NOT NULL,
    loan_id       VARCHAR,
    kind          VARCHAR NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL,
    detail        VARCHAR,                         -- JSON text: promised_date, outcome, text...
    amount        DECIMAL(18, 2),                  -- payments and promises
    channel       VARCHAR,
    source        VARCHAR,                         -- import, sms_reply, dialer, simulator, operator...
    external_id   VARCHAR UNIQUE,                  -- dedupes re-ingested files and callbacks
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Payments as the core banking feed delivers them (file import or the synthetic book).
-- The daily run turns those paid up to its day into 'payment' events and re-derives
-- installments.amount_paid / paid_at from them, so re-running a day gives the same state.
CREATE TABLE IF NOT EXISTS payment_feed (
    payment_id   VARCHAR PRIMARY KEY,
    loan_id      VARCHAR NOT NULL,
    amount       DECIMAL(18, 2) NOT NULL CHECK (amount > 0),
    paid_at      TIMESTAMPTZ NOT NULL,
    source       VARCHAR NOT NULL DEFAULT 'import',
    ingested_at  TIMESTAMPTZ                       -- when it became a 'payment' event (NULL: not yet)
);

-- Open and closed delinquency episodes: a loan's stretch from first overdue to current again.
-- The ladder's "each step once per episode" is counted inside one episode.
CREATE TABLE IF NOT EXISTS delinquency_episodes (
    episode_id   VARCHAR PRIMARY KEY,              -- loan_id:opened_on
    loan_id      VARCHAR NOT NULL,
    opened_on    DATE NOT NULL,
    closed_on    DATE
);

-- Rows of an imported file that were refused, with the reason and where they came from.
CREATE TABLE IF NOT EXISTS import_quarantine (
    source_file   VARCHAR NOT NULL,
    source_line   BIGINT NOT NULL,
    entity        VARCHAR NOT NULL,                -- borrower, loan, installment
    record_id     VARCHAR,
    reason        VARCHAR NOT NULL,
    raw           VARCHAR,
    quarantined_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What the local outbox provider "sent": the message exactly as it would have left.
CREATE TABLE IF NOT EXISTS outbox_messages (
    idempotency_key     VARCHAR PRIMARY KEY,
    attempt_id          VARCHAR NOT NULL,
    channel             VARCHAR NOT NULL,
    recipient           VARCHAR,
    subject             VARCHAR,
    body_text           VARCHAR,
    body_html           VARCHAR,
    provider_message_id VARCHAR NOT NULL,
    accepted_at         TIMESTAMPTZ NOT NULL
);

-- One row per daily run: what was asked and what came out (the artifact's source).
CREATE TABLE IF NOT EXISTS run_log (
    run_id        VARCHAR PRIMARY KEY,
    flow          VARCHAR NOT NULL,
    as_of         DATE,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    summary       VARCHAR                          -- JSON
);

-- Every policy the planner or dispatch has decided with: the config file as it was, so any past
-- decision (contact_attempts.policy_version) can be explained with the exact rules in force.
CREATE TABLE IF NOT EXISTS policy_versions (
    policy_version  VARCHAR PRIMARY KEY,           -- <[policy].version>@<file fingerprint>
    config_text     VARCHAR NOT NULL,
    first_used_at   TIMESTAMPTZ NOT NULL
);
