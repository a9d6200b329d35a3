-- day_figures: the counts the daily-run benchmark divides by, for the day $as_of. One row:
--   contacts            contact_attempts rows of the day (every decision recorded: planned, suppressed, failed)
--   planned             of those, planned or already sent/delivered (the day's contacts to send)
--   messages            contacts recorded with their wording (contact_messages rows of the day)
--   reminder_ladder     contacts of purpose reminder or escalation (what raw_day_candidates selects)
--   sent                contacts the outbox accepted (sent or delivered)
--   still_planned       contacts still waiting for the outbox (status planned)
-- Bench only (bench/daily_run.py).
SELECT count(*) AS contacts,
       count(*) FILTER (WHERE a.status IN ('planned', 'sent', 'delivered')) AS planned,
       count(m.attempt_id) AS messages,
       count(*) FILTER (WHERE a.purpose IN ('reminder', 'escalation')) AS reminder_ladder,
       count(*) FILTER (WHERE a.status IN ('sent', 'delivered')) AS sent,
       count(*) FILTER (WHERE a.status = 'planned') AS still_planned
FROM contact_attempts AS a
LEFT JOIN contact_messages AS m USING (attempt_id)
WHERE a.planned_for_date = $as_of::DATE;
