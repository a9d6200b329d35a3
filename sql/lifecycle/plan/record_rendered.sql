-- Records one batch of planned text contacts (temp table rendered_batch) with its template
-- identity, or as failed with the render error. The wording goes to contact_messages in the
-- same transaction (record_rendered_messages.sql). A letter to a borrower represented by an
-- attorney (borrower_flags.attorney_active) is addressed to the attorney (addressed_to, 063_kinds.sql;
-- Reg F 1006.6(b)(2)). Returns nothing.
INSERT INTO contact_attempts (
    attempt_id, idempotency_key, borrower_id, loan_id, installment_no, channel, purpose, step,
    episode_id, priority, amount_due, status, suppressed_reason, decided_by_rule, policy_version,
    planned_for_date, send_after, send_before, created_at, updated_at, contact_point, error,
    template_id, template_version, language, addressed_to, experiment, arm)
SELECT substr(sha256(d.idempotency_key), 1, 20), d.idempotency_key, d.borrower_id, d.loan_id,
       d.installment_no, d.channel, d.purpose, d.step, d.episode_id, d.severity, d.amount_due,
       CASE WHEN r.error IS NULL THEN 'planned' ELSE 'failed' END, NULL, d.decided_by_rule,
       $policy_version, $as_of::DATE, d.send_after, d.send_before, $recorded_at, $recorded_at, d.contact_point,
       r.error, r.template_id, r.template_version, r.language,
       CASE WHEN d.channel = 'letter'
             AND EXISTS (SELECT 1 FROM borrower_flags AS f WHERE f.borrower_id = d.borrower_id AND f.attorney_active)
            THEN 'attorney' END,
       d.experiment, d.arm
FROM rendered_batch AS r
JOIN decisions AS d USING (idempotency_key)
WHERE NOT EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.idempotency_key = r.idempotency_key);
