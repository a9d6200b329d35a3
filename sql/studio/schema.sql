-- The template studio's own database (<studio dir>/studio.duckdb; never the loan book): drafts under
-- review, every published wording with its author and reviewer, sessions, and the audit of every action.
-- Idempotent: run at every start.

CREATE SEQUENCE IF NOT EXISTS studio_draft_ids START 1;
CREATE SEQUENCE IF NOT EXISTS studio_audit_ids START 1;

-- One draft: the full text of every part of one template (sources: JSON part -> text), the version it
-- was started from (base_version: the published one at the time), and where it is in review.
CREATE TABLE IF NOT EXISTS studio_drafts (
    draft_id        BIGINT PRIMARY KEY,
    template_id     VARCHAR NOT NULL,
    base_version    VARCHAR,
    sources         JSON NOT NULL,
    version         VARCHAR NOT NULL,          -- the content hash the run would record for this wording
    author          VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'rejected', 'withdrawn')),
    rollback_of     VARCHAR,                   -- the release whose wording this draft restores
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    submitted_at    TIMESTAMPTZ,
    reviewer        VARCHAR,
    reviewed_at     TIMESTAMPTZ,
    review_comment  VARCHAR,
    release         VARCHAR                    -- the release that published it
);

-- Every wording ever published, per release (an import from the repository, an approved draft, a roll back).
CREATE TABLE IF NOT EXISTS studio_publications (
    release      VARCHAR NOT NULL,
    template_id  VARCHAR NOT NULL,
    version      VARCHAR NOT NULL,
    sources      JSON NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('import', 'edit', 'rollback')),
    author       VARCHAR,
    reviewer     VARCHAR,
    approved_at  TIMESTAMPTZ NOT NULL,
    draft_id     BIGINT,
    PRIMARY KEY (release, template_id)
);

-- Sessions: only a hash of the cookie's token is kept, with the CSRF token the forms must echo and a
-- fingerprint of the password hash it was opened with (a new password ends it). expires_at moves on use.
CREATE TABLE IF NOT EXISTS studio_sessions (
    token_hash      VARCHAR PRIMARY KEY,
    user_name       VARCHAR NOT NULL,
    csrf            VARCHAR NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    pw_fingerprint  VARCHAR NOT NULL
);

-- Every action: sign-ins (and refused ones), drafts saved, submitted, withdrawn, approved, rejected,
-- releases published, exports. Names and template ids only; no borrower data exists here.
CREATE TABLE IF NOT EXISTS studio_audit (
    audit_id     BIGINT PRIMARY KEY,
    happened_at  TIMESTAMPTZ NOT NULL,
    user_name    VARCHAR,
    action       VARCHAR NOT NULL,
    template_id  VARCHAR,
    draft_id     BIGINT,
    release      VARCHAR,
    detail       VARCHAR
);
