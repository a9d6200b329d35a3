-- How many calls of plan day $plan_date are in state $state (a pass's before/after counts).
SELECT count(*)::INTEGER FROM dialer_pushes WHERE plan_date = $plan_date::DATE AND state = $state;
