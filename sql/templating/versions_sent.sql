-- Returns one row per template version that went out (a contact recorded with it was sent: sent_at
-- is set), planned for a day on or after $since (a DATE; NULL: every day): template_id,
-- template_version, contacts (how many went), first_day and last_day (the borrowers' local days they
-- were planned for), and from the registry of template versions (template_versions) its source
-- ('studio' | 'repository'; NULL when the version is not registered: the audit rule
-- template_versions_approved flags it), author, reviewer, approved_at, release (of its latest
-- approval) and approvals (every author / reviewer it was published by, oldest first). Ordered by
-- template_id, then first_day. No borrower data: ids of templates and names of staff only.
WITH registered AS (      -- a version approved more than once: the latest approval, and every one in order
    SELECT template_id, template_version,
           arg_max(source, registered_at) AS source, arg_max(author, registered_at) AS author,
           arg_max(reviewer, registered_at) AS reviewer, arg_max(approved_at, registered_at) AS approved_at,
           arg_max(release, registered_at) AS release,
           string_agg(CASE WHEN source = 'studio' THEN coalesce(author, '?') || ' / ' || coalesce(reviewer, '?')
                           ELSE 'repository (git)' END, '; ' ORDER BY registered_at) AS approvals
    FROM template_versions
    GROUP BY template_id, template_version
)
SELECT a.template_id, a.template_version, count(*) AS contacts,
       min(a.planned_for_date) AS first_day, max(a.planned_for_date) AS last_day,
       any_value(t.source) AS source, any_value(t.author) AS author, any_value(t.reviewer) AS reviewer,
       any_value(t.approved_at) AS approved_at, any_value(t.release) AS release, any_value(t.approvals) AS approvals
FROM contact_attempts AS a
LEFT JOIN registered AS t
       ON t.template_id = a.template_id AND t.template_version = a.template_version
WHERE a.template_version IS NOT NULL AND a.sent_at IS NOT NULL
  AND ($since::DATE IS NULL OR a.planned_for_date >= $since::DATE)
GROUP BY a.template_id, a.template_version
ORDER BY a.template_id, first_day, a.template_version;
