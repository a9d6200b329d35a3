-- Claims of plan day $plan_date a stopped pass left 'sending' (its request may have left): they are
-- 'unknown' now, looked up at the dialer before anything is sent again. Returns nothing.
UPDATE dialer_pushes
SET state = 'unknown', error = 'outcome unknown: a pass stopped while the request was in flight', updated_at = $now
WHERE plan_date = $plan_date::DATE AND state = 'sending';
