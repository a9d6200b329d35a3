-- The distinct instants at which a window of day $as_of's still-planned contacts opens: the
-- simulated clock dispatches at each. Returns (send_after), earliest first.
SELECT DISTINCT send_after FROM contact_attempts
WHERE planned_for_date = $as_of::DATE AND status = 'planned' ORDER BY 1;
