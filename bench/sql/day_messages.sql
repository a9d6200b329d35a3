-- day_messages: the wording recorded for the day $as_of (contact_messages rows of its contacts, all
-- columns; fetched as Arrow for the raw insert). Bench only (bench/daily_run.py).
SELECT m.* FROM contact_messages AS m
WHERE m.attempt_id IN (SELECT attempt_id FROM contact_attempts WHERE planned_for_date = $as_of::DATE);
