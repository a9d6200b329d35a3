-- dialer_pushes of plan day $plan_date by state (one row per state that has rows), for reports.
SELECT state, count(*)::INTEGER AS calls FROM dialer_pushes WHERE plan_date = $plan_date::DATE
GROUP BY state ORDER BY state;
