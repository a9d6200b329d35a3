-- day_contacts: every contact_attempts row of the day $as_of, all columns (fetched as Arrow for the
-- raw insert). Bench only (bench/daily_run.py).
SELECT * FROM contact_attempts WHERE planned_for_date = $as_of::DATE;
