-- The calls of plan day $plan_date that need a person or a later pass (ids, states and the last
-- error only): unknown (may be at the dialer, not yet shown either way), failed (refused),
-- cancel_due (the dialer still holds a call the policy withdrew), pending (not pushed yet).
SELECT attempt_id, team, state, tries, cancel_tries, error FROM dialer_pushes
WHERE plan_date = $plan_date::DATE AND state IN ('unknown', 'failed', 'cancel_due', 'pending', 'sending')
ORDER BY state, attempt_id;
