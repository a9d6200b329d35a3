-- The calls of plan day $plan_date the dialer should hold now, as temp table dialer_candidates (the
-- payload's fields; desired_payloads.sql turns them into temp table dialer_desired).
-- A call is wanted while it is assigned (call_assignments outcome 'assigned': an agent and a slot)
-- and its contact is still planned or released (status planned | sent): a call the re-check before
-- sending suppressed, or that failed, is not wanted any more, and the pass cancels it at the dialer;
-- nor is one the policy withdrew after its release (call_withdrawals: re-judged at every dispatch
-- pass while the dialer may still dial it, sql/policy/recheck/held_calls.sql).
-- The number is the call's contact point (the `recipients` view, as sql/calls/queue/day_rows.sql
-- finds it: the point recorded on the call, else the primary phone), UNMASKED: this payload is the
-- one place it leaves unmasked. Nothing else personal (no name). A call with no number to dial is
-- left out (desired_payloads.sql counts them: the policy's no_recipient should have stopped it).
CREATE OR REPLACE TEMP TABLE dialer_candidates AS
SELECT ca.attempt_id, ca.team, ca.agent_id, ca.slot_start, ca.slot_end, ca.dial_until, ca.max_dials, ca.step,
       ca.loan_id, ca.priority_score, ca.priority_reasons, ca.plan_date,
       coalesce(a.language, b.language) AS language, b.timezone,
       (SELECT r.address FROM recipients r
        WHERE r.borrower_id = a.borrower_id AND r.channel = 'call'
          AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
        ORDER BY r.is_primary DESC LIMIT 1) AS phone
FROM call_assignments ca
JOIN contact_attempts a ON a.attempt_id = ca.attempt_id
JOIN borrowers b ON b.borrower_id = a.borrower_id
WHERE ca.plan_date = $plan_date::DATE
  AND ca.outcome = 'assigned'
  AND a.channel = 'call'
  AND a.status IN ('planned', 'sent')
  AND a.attempt_id NOT IN (SELECT attempt_id FROM call_withdrawals);
