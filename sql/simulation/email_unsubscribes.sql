-- Simulated email unsubscribes (0.5% of the emails sent on local day $as_of at one contact in the
-- borrower's last 7 local days, times the response model's curve_at($opt_out_curve, contacts_7d):
-- loan_comms/simulation/response.py), two hours after the email, as the provider's event webhook
-- reports them (SendGrid field names).
SELECT 'unsubscribe' AS event, a.attempt_id, a.provider_message_id AS sg_message_id,
       'sim-unsub-' || a.attempt_id AS sg_event_id,
       epoch(a.sent_at + INTERVAL 2 HOUR)::BIGINT AS "timestamp"
FROM contact_attempts AS a
LEFT JOIN contact_intensity($as_of::DATE) AS ci USING (borrower_id)
WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'email' AND a.sent_at IS NOT NULL
  AND (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':op')) % 100000) / 100000.0 < 0.005 * curve_at($opt_out_curve, ci.contacts_7d)::DECIMAL(9, 6)
ORDER BY a.attempt_id;
