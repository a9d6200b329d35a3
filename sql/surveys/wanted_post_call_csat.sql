-- post_call_csat: the calls that reached the borrower (call_outcome 'reached' or 'promise_to_pay',
-- detail.attempt_id naming the call) whose instant + $delay_hours falls in the 24 hours before $now:
-- each reached call is asked about by exactly one day's run, a re-run of that day asks the same.
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key).
SELECT a.borrower_id, a.loan_id, a.attempt_id AS trigger_attempt_id,
       (SELECT any_value(q.team) FROM call_queue AS q WHERE q.attempt_id = a.attempt_id) AS team,
       a.attempt_id AS sample_key
FROM borrower_events AS e
JOIN contact_attempts AS a
  ON a.attempt_id = CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END
WHERE e.kind = 'call_outcome' AND a.channel = 'call'
  AND json_extract_string(e.detail, '$.outcome') IN ('reached', 'promise_to_pay')
  AND e.occurred_at + to_hours($delay_hours::INTEGER) > $now - INTERVAL 1 DAY
  AND e.occurred_at + to_hours($delay_hours::INTEGER) <= $now
QUALIFY row_number() OVER (PARTITION BY a.attempt_id ORDER BY e.occurred_at) = 1;
