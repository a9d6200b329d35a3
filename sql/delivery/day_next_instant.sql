-- The next instant after $after (NULL: the first of the day) at which day $as_of's dispatch on a
-- simulated clock runs: the earliest window opening of a still-planned contact after it, else the
-- day's last window close (the final pass, which marks what is left window_missed) when that is
-- after it; NULL when the day has no pass left. Returns one timestamp.
-- Asked again after every pass, not listed once up front: the re-check before send narrows the
-- windows of what is still to go (sql/policy/recheck/windows.sql), so a contact whose window now
-- opens at 10:00 instead of 08:00 gets a pass at 10:00. Each answer is later than $after, so the
-- day ends.
WITH opening AS (
    SELECT min(send_after) AS at FROM contact_attempts
    WHERE planned_for_date = $as_of::DATE AND status = 'planned'
      AND ($after::TIMESTAMPTZ IS NULL OR send_after > $after::TIMESTAMPTZ)
),
closing AS (
    SELECT max(send_before) AS at FROM contact_attempts WHERE planned_for_date = $as_of::DATE
)
SELECT coalesce(o.at, CASE WHEN $after::TIMESTAMPTZ IS NULL OR c.at > $after::TIMESTAMPTZ THEN c.at END)
FROM opening AS o, closing AS c;
