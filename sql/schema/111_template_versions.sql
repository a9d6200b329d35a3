-- The registry of template versions (issue 18): who wrote and who approved each wording a contact
-- was recorded with. contact_attempts keeps (template_id, template_version) per contact; this table
-- says where that version came from, so a complaint leads from the contact to its approved wording.
-- Written only in the transaction that records rendered contacts (loan_comms/lifecycle/rendering.py
-- record_rendered -> loan_comms/templating/registry.py): a row is added the first time a contact uses a
-- version under a given provenance, never changed afterwards. One version can have several rows: the
-- same wording published again by another approval (a roll back to the repository's wording, approved
-- in the studio) is recorded with that approval, so who put it back on the air is in the book too.
--   source       'studio': published from the template studio (a release's manifest.json names its
--                author, reviewer and approval); 'repository': the repository's own template files,
--                with no author or reviewer here (their history is git's).
--   release      the published release it was read from (studio), else NULL.
--   registered_at  when the first contact with this version was recorded.
-- Judged by the audit rule template_versions_approved; read by `loan-comms templates versions`.
CREATE TABLE IF NOT EXISTS template_versions (
    template_id       VARCHAR NOT NULL,
    template_version  VARCHAR NOT NULL,
    source            VARCHAR NOT NULL CHECK (source IN ('studio', 'repository')),
    author            VARCHAR,
    reviewer          VARCHAR,
    approved_at       TIMESTAMPTZ,
    draft_id          BIGINT,
    release           VARCHAR,
    registered_at     TIMESTAMPTZ NOT NULL
    -- one row per (template_id, template_version, source, author, reviewer): register_versions.sql
);

-- Books from before the registry: every wording their contacts were recorded with came from the
-- repository's files (the studio did not exist), so each is registered as such, once, while the
-- registry is still empty (as 003_day_runs.sql fills the ledger of day runs).
INSERT INTO template_versions (template_id, template_version, source, registered_at)
SELECT template_id, template_version, 'repository', min(created_at)
FROM contact_attempts
WHERE template_id IS NOT NULL AND template_version IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM template_versions)
GROUP BY template_id, template_version;
