-- Returns how many contacts each template version produced (contacts recorded with its wording,
-- whatever became of them after) on the borrowers' local days from $since (a DATE) on: template_id,
-- template_version, contacts, last_day (the latest day one was planned for). For the template
-- studio's usage file (loan_comms/templating/usage.py); no borrower data, counts only.
SELECT template_id, template_version, count(*) AS contacts, max(planned_for_date) AS last_day
FROM contact_attempts
WHERE template_version IS NOT NULL AND planned_for_date >= $since::DATE
GROUP BY template_id, template_version
ORDER BY template_id, template_version;
