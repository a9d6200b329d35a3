-- The first and last calendar year any contact was planned or attempted in (UTC is close enough:
-- the caller pads a year on each side), so holiday calendars are loaded for the whole history.
-- Returns one row: first_year, last_year (NULL when the log is empty).
SELECT min(year(least(planned_for_date, sent_at::DATE))) AS first_year,
       max(year(greatest(planned_for_date, sent_at::DATE))) AS last_year
FROM contact_attempts;
