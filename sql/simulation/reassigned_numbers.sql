-- Simulated reassigned-numbers answers for local day $as_of, as a periodic lookup (e.g. the FCC
-- Reassigned Numbers Database) would give them: 0.3% of numbers (drawn per number, so a number is
-- found reassigned once, whoever holds it) turn out, the first day they are texted or called, to
-- have changed hands 20 days earlier. Returns phone, reassigned_on (the columns of
-- `loan-comms ingest-reassigned-numbers`), one row per number.
SELECT DISTINCT r.address AS phone, strftime($as_of::DATE - 20, '%Y-%m-%d') AS reassigned_on
FROM contact_attempts AS a
JOIN recipients AS r
  ON r.borrower_id = a.borrower_id AND r.channel = a.channel
 AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
WHERE a.planned_for_date = $as_of::DATE AND a.channel IN ('sms', 'call') AND a.sent_at IS NOT NULL
  AND (hash(concat($seed::VARCHAR, ':', r.address, ':reassigned')) % 100000) / 100000.0 < 0.003
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.kind = 'number_reassigned' AND e.contact_point = r.point_id)
ORDER BY phone;
