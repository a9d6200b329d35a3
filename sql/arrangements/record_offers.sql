-- Records the offers of one rendered batch (temp table rendered_batch, each offer row with its
-- plan_token) in the transaction that records the contacts (planner._record_rendered): only contacts
-- rendered and recorded (error NULL) that carry options (offer_options), each once (a replayed batch
-- adds nothing). expires_at: the contact's window close + [arrangements] offer_valid_days.
-- Its options follow in record_offer_options.sql. Returns nothing.
INSERT INTO arrangement_offers
SELECT r.plan_token, a.attempt_id, a.borrower_id, a.loan_id, any_value(o.currency), any_value(o.arrears),
       any_value(o.dpd), a.channel, coalesce(r.language, 'en'), a.step, a.planned_for_date,
       a.send_before + to_days(any_value(c.offer_valid_days))
FROM rendered_batch AS r
JOIN contact_attempts AS a USING (idempotency_key)
JOIN offer_options AS o USING (idempotency_key)
CROSS JOIN cfg_arrangements AS c
WHERE r.error IS NULL AND r.plan_token IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM arrangement_offers AS x WHERE x.attempt_id = a.attempt_id OR x.token = r.plan_token)
GROUP BY r.plan_token, a.attempt_id, a.borrower_id, a.loan_id, a.channel, r.language, a.step, a.planned_for_date,
         a.send_before;
