-- The template libraries the recorded contacts of $start..$end were rendered from: per published
-- studio release (NULL: the repository's own files), how many contacts used a version registered
-- under it (template_versions), most used first. One row per release.
SELECT v.release, count(DISTINCT a.attempt_id) AS contacts
FROM contact_attempts AS a
JOIN template_versions AS v USING (template_id, template_version)
WHERE a.planned_for_date BETWEEN $start AND $end
GROUP BY v.release
ORDER BY contacts DESC, v.release NULLS LAST;
