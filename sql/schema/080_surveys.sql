-- survey_invitations: one row per survey contact planned (contact_attempts.purpose = 'survey').
CREATE TABLE IF NOT EXISTS survey_invitations (
    token              VARCHAR PRIMARY KEY,     -- unguessable, in the link: HMAC-SHA256(key, attempt_id), base64url, 22 chars
    attempt_id         VARCHAR NOT NULL UNIQUE, -- the survey contact in contact_attempts
    programme          VARCHAR NOT NULL,        -- a [surveys.programmes.<name>] key, e.g. post_call_csat, payoff_nps
    scale              VARCHAR NOT NULL CHECK (scale IN ('csat', 'nps')),   -- csat 1-5, nps 0-10
    borrower_id        VARCHAR NOT NULL,
    loan_id            VARCHAR,
    channel            VARCHAR NOT NULL,        -- sms | email
    language           VARCHAR NOT NULL,        -- zh-CN | en
    product            VARCHAR,
    trigger_attempt_id VARCHAR,                 -- the contact it asks about (the reached call), if any
    last_step          VARCHAR,                 -- last ladder step sent before the survey, if any
    dpd_bucket         VARCHAR,                 -- 'current' | '1-7' | '8-30' | '31-60' | '61+' at planning
    team               VARCHAR,                 -- call team of the trigger call, if any
    contacts_30d       INTEGER NOT NULL,        -- contacts attempted to the borrower in the 30 days before
    planned_for_date   DATE NOT NULL,
    expires_at         TIMESTAMPTZ NOT NULL     -- answers after this are quarantined (expired)
);
-- survey_answers: at most one answer per invitation, from any source.
CREATE TABLE IF NOT EXISTS survey_answers (
    token        VARCHAR PRIMARY KEY,
    score        INTEGER NOT NULL,             -- in the invitation's scale range
    comment      VARCHAR,                      -- free text (PII possible: never in logs/artifacts)
    answered_at  TIMESTAMPTZ NOT NULL,
    source       VARCHAR NOT NULL CHECK (source IN ('sms', 'web', 'pull', 'file')),
    external_id  VARCHAR,                      -- e.g. the SMS MessageSid, the service's answer id
    received_at  TIMESTAMPTZ NOT NULL
);
