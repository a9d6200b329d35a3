-- Returns one row per template version that went out (a contact recorded with it was sent: sent_at
-- is set), planned for a day on or after $since (a DATE; NULL: every day): template_id,
-- template_version, contacts (how many went), first_day and last_day (the borrowers' local days they
-- were planned for), and from the registry of template versions (template_versions) its source
-- ('studio' | 'repository'; NULL when the version is not registered: the audit rule
-- template_versions_approved flags it), author, reviewer, approved_at, release. Ordered by
-- template_id, then first_day. No borrower data: ids of templates and names of staff only.
SELECT a.template_id, a.template_version, count(*) AS contacts,
       min(a.planned_for_date) AS first_day, max(a.planned_for_date) AS last_day,
       any_value(t.source) AS source, any_value(t.author) AS author, any_value(t.reviewer) AS reviewer,
       any_value(t.approved_at) AS approved_at, any_value(t.release) AS release
FROM contact_attempts AS a
LEFT JOIN template_versions AS t
       ON t.template_id = a.template_id AND t.template_version = a.template_version
WHERE a.template_version IS NOT NULL AND a.sent_at IS NOT NULL
  AND ($since::DATE IS NULL OR a.planned_for_date >= $since::DATE)
GROUP BY a.template_id, a.template_version
ORDER BY a.template_id, first_day, a.template_version;
