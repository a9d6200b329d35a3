-- Adds to the registry (template_versions, sql/schema/111_template_versions.sql) each version in
-- used_versions (an Arrow table registered by loan_comms/templating/registry.py: the provenance of
-- every template version a batch of contacts was just recorded with) whose provenance (source,
-- author, reviewer) is not there yet for that version: re-recording a day adds nothing, and the same
-- wording approved again by someone else (a roll back) adds that approval.
-- Returns the number of rows added.
INSERT INTO template_versions (template_id, template_version, source, author, reviewer, approved_at,
                               draft_id, release, registered_at)
SELECT u.template_id, u.template_version, u.source, u.author, u.reviewer, u.approved_at,
       u.draft_id, u.release, $registered_at
FROM used_versions AS u
WHERE NOT EXISTS (SELECT 1 FROM template_versions AS t
                  WHERE t.template_id = u.template_id AND t.template_version = u.template_version
                    AND t.source = u.source AND t.author IS NOT DISTINCT FROM u.author
                    AND t.reviewer IS NOT DISTINCT FROM u.reviewer);
