-- Simulated requests an agent records on local day $as_of: cease-contact requests (0.2% of
-- collection contacts made), and disputes resolved ten days after they were raised (for every loan
-- when the dispute was borrower-wide, a reply's; else for its loan: kinds.py). Returns the
-- operator event file's columns. (Email unsubscribes arrive as provider events instead.)
WITH made AS (
    SELECT a.attempt_id, a.borrower_id, a.loan_id, a.channel, a.purpose, a.sent_at,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':op')) % 100000) / 100000.0 AS r
    FROM contact_attempts AS a
    WHERE a.planned_for_date = $as_of::DATE AND a.sent_at IS NOT NULL
)
SELECT 'sim-cease-' || attempt_id AS event_id, borrower_id, loan_id, 'cease_contact' AS kind, NULL AS channel,
       strftime(sent_at + INTERVAL 3 HOUR, '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at
FROM made WHERE purpose = 'escalation' AND r >= 0.5 AND r < 0.502
UNION ALL
SELECT 'sim-resolve-' || d.event_id, d.borrower_id, CASE WHEN d.scope = 'loan' THEN d.loan_id END,
       'dispute_resolved', NULL,
       strftime(d.occurred_at + INTERVAL 10 DAY, '%Y-%m-%dT%H:%M:%S+00:00')
FROM borrower_events AS d JOIN borrowers AS b USING (borrower_id)
WHERE d.kind = 'dispute'
  AND timezone(b.timezone, d.occurred_at + INTERVAL 10 DAY)::DATE = $as_of::DATE
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS x
                  WHERE x.borrower_id = d.borrower_id AND x.kind = 'dispute_resolved'
                    AND x.occurred_at > d.occurred_at);
