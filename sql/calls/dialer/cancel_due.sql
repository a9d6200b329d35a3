-- The calls of plan day $plan_date the dialer holds and must not dial (state cancel_due): the id to
-- DELETE at the dialer, in a stable order.
SELECT attempt_id, dialer_ref FROM dialer_pushes
WHERE plan_date = $plan_date::DATE AND state = 'cancel_due'
ORDER BY attempt_id;
