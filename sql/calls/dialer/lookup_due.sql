-- The pushes of plan day $plan_date whose outcome is unknown and whose last try is at least
-- reconcile_after_seconds old ($cutoff): the refs to ask the dialer's list about, before any send.
SELECT attempt_id FROM dialer_pushes
WHERE plan_date = $plan_date::DATE AND state = 'unknown' AND last_try_at <= $cutoff
ORDER BY attempt_id;
