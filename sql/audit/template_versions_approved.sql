-- template_versions_approved: Does every wording a contact was recorded with have its provenance in
-- the book's registry, and was every wording from the template studio approved by someone other than
-- its author? A complaint must lead from the contact to the approved wording that went out (issue 18):
-- the registry (template_versions, sql/schema/111_template_versions.sql) names, per version, its
-- source ('studio': a published release, with author, reviewer and approval time; 'repository': the
-- repository's own files, whose history is git's).
-- Checked: every contact_attempts row recorded with a template_version (planned, sent or not: the
-- registry is written in the transaction that records the contact), and every registry row.
-- Violation: a contact whose (template_id, template_version) is not in the registry; a studio version
-- with no reviewer, approved by its own author (no self-approval), or with no approval time.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT 'contact' AS what, a.attempt_id, a.planned_for_date, a.template_id, a.template_version,
       t.source, t.author, t.reviewer, t.approved_at,
       CASE WHEN t.template_id IS NULL
            THEN 'version ' || a.template_version || ' of ' || a.template_id || ' is not in the registry: '
                 || 'who wrote and approved this wording is unknown'
       END AS violation
FROM contact_attempts AS a
LEFT JOIN (SELECT template_id, template_version, arg_max(source, registered_at) AS source,
                  arg_max(author, registered_at) AS author, arg_max(reviewer, registered_at) AS reviewer,
                  arg_max(approved_at, registered_at) AS approved_at
           FROM template_versions GROUP BY template_id, template_version) AS t   -- one row per contact
       ON t.template_id = a.template_id AND t.template_version = a.template_version
WHERE a.template_version IS NOT NULL
UNION ALL
SELECT 'version', NULL, NULL, t.template_id, t.template_version, t.source, t.author, t.reviewer, t.approved_at,
       CASE WHEN t.source = 'studio' AND t.reviewer IS NULL
                THEN 'studio version ' || t.template_version || ' of ' || t.template_id || ' has no reviewer'
            WHEN t.source = 'studio' AND lower(trim(t.reviewer)) = lower(trim(t.author))
                THEN 'studio version ' || t.template_version || ' of ' || t.template_id
                     || ' was approved by its own author'
            WHEN t.source = 'studio' AND t.approved_at IS NULL
                THEN 'studio version ' || t.template_version || ' of ' || t.template_id || ' has no approval time'
       END
FROM template_versions AS t;
