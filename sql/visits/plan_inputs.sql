-- The day's visits to assign: every decision on channel 'visit' the policy let through (temp table
-- decisions, after sql/policy/decide.sql), and those the gate suppressed no_field_pair (no pair could
-- ever make them: sql/policy/rules/no_field_pair.sql, the one definition; no_field_pair = true, so
-- the plan records them carried with that reason), with where the borrower is (borrowers.city / district),
-- the language a collector must speak, the window it must go in (send_after / send_before, UTC:
-- the policy's, already every plausible zone's and any narrowing), what ranks it (severity, then
-- amount) and how many earlier plan days the same visit was carried for field_capacity.
-- Why: loan_comms/visits/plan.py assigns these to pairs of field agents; fetched in one query.
SELECT d.idempotency_key, substr(sha256(d.idempotency_key), 1, 20) AS attempt_id,
       d.borrower_id, d.loan_id, d.step, d.severity, d.amount_due,
       d.borrower_language AS language,
       nullif(trim(b.city), '') AS city, nullif(trim(b.district), '') AS district,
       d.send_after, d.send_before,
       coalesce(d.status = 'suppressed' AND d.suppressed_reason = 'no_field_pair', false) AS no_field_pair,
       (SELECT count(*) FROM visit_assignments AS va
        JOIN contact_attempts AS a ON a.attempt_id = va.attempt_id
        WHERE va.outcome = 'carried' AND va.reason = 'field_capacity'
          AND a.loan_id = d.loan_id AND a.step = d.step AND a.channel = 'visit'
          AND a.episode_id IS NOT DISTINCT FROM d.episode_id)::INTEGER AS carried_days
FROM decisions AS d
JOIN borrowers AS b USING (borrower_id)
WHERE d.channel = 'visit'
  AND (d.status = 'planned' OR (d.status = 'suppressed' AND d.suppressed_reason = 'no_field_pair'))
ORDER BY d.severity DESC, d.amount_due DESC NULLS LAST, d.idempotency_key;
