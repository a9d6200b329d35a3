-- The collectors' call queue of a local day: the day's planned (or already released) call
-- contacts, ranked within each team by severity, then amount. Rebuilt whole by the call-queue
-- flow; holds ids only (the dialer joins borrowers for the number), so the table is not PII.
CREATE TABLE IF NOT EXISTS call_queue (
    queue_date     DATE NOT NULL,                 -- the borrowers' local day (contact_attempts.planned_for_date)
    attempt_id     VARCHAR NOT NULL,              -- the call's contact_attempts row
    borrower_id    VARCHAR NOT NULL,
    loan_id        VARCHAR NOT NULL,
    step           VARCHAR NOT NULL,
    severity       INTEGER NOT NULL,              -- contact_attempts.priority (ladder severity)
    amount_due     DECIMAL(18, 2),
    currency       VARCHAR,
    team           VARCHAR NOT NULL,              -- language/region, e.g. zh-CN/apac
    language       VARCHAR,
    timezone       VARCHAR NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    call_from      TIMESTAMPTZ,                   -- the borrower's contact window, UTC
    call_until     TIMESTAMPTZ,
    local_window   VARCHAR,                       -- "08:00-22:00 Asia/Shanghai"
    queue_rank     INTEGER NOT NULL,              -- 1 = call first, within the team
    status         VARCHAR NOT NULL,              -- planned | sent at build time
    built_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (queue_date, attempt_id)
);
