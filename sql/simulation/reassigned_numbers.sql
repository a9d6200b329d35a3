-- Simulated reassigned-numbers answers for local day $as_of, as a periodic lookup (e.g. the FCC
-- Reassigned Numbers Database) would give them: about 0.5% of the numbers texted or called that
-- day turn out to have changed hands 20 days earlier. Returns phone, reassigned_on (the columns of
-- `loan-comms ingest-reassigned-numbers`), one row per number.
SELECT DISTINCT r.address AS phone, strftime($as_of::DATE - 20, '%Y-%m-%d') AS reassigned_on
FROM contact_attempts AS a
JOIN recipients AS r
  ON r.borrower_id = a.borrower_id AND r.channel = a.channel
 AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
WHERE a.planned_for_date = $as_of::DATE AND a.channel IN ('sms', 'call') AND a.sent_at IS NOT NULL
  AND (hash(concat($seed::VARCHAR, ':', r.address, ':', $as_of::VARCHAR, ':reassigned')) % 100000) / 100000.0 < 0.005
ORDER BY phone;
