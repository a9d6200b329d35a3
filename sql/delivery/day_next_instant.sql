-- The next instant after $after (NULL: the first of the day) at which day $as_of's dispatch on a
-- simulated clock runs: the earliest of
--   - the next window opening of a still-planned contact after it;
--   - $after + $retry_minutes, when a contact of the day is still to settle and its window is still
--     open then: one that was due but is still planned (a 429, a send reconciliation found absent)
--     or one sent with an unknown outcome through a provider in $reconcilable (Twilio, SendGrid),
--     which the next pass reconciles first. The hourly dispatch does this on the wall clock;
-- else the day's last window close (the final pass, which marks what is left window_missed) when
-- that is after it; NULL when the day has no pass left. Returns one timestamp.
-- Asked again after every pass, not listed once up front: the re-check before send narrows the
-- windows of what is still to go (sql/policy/recheck/windows.sql), so a contact whose window now
-- opens at 10:00 instead of 08:00 gets a pass at 10:00. Each answer is later than $after, so the
-- day ends.
WITH opening AS (
    -- The first pass of a day also opens for its unknown sends (a replay after a crash in flight),
    -- so they are reconciled and, if the provider never got them, sent inside their windows.
    SELECT min(send_after) AS at FROM contact_attempts
    WHERE planned_for_date = $as_of::DATE
      AND (status = 'planned'
           OR ($after::TIMESTAMPTZ IS NULL AND status = 'sent' AND outcome_unknown
               AND list_contains($reconcilable::VARCHAR[], provider)))
      AND ($after::TIMESTAMPTZ IS NULL OR send_after > $after::TIMESTAMPTZ)
),
retry AS (
    SELECT $after::TIMESTAMPTZ + to_minutes($retry_minutes::INTEGER) AS at
    WHERE $after::TIMESTAMPTZ IS NOT NULL AND EXISTS (
        SELECT 1 FROM contact_attempts
        WHERE planned_for_date = $as_of::DATE
          AND send_before > $after::TIMESTAMPTZ + to_minutes($retry_minutes::INTEGER)
          AND ((status = 'planned' AND send_after <= $after::TIMESTAMPTZ)
               OR (status = 'sent' AND outcome_unknown AND list_contains($reconcilable::VARCHAR[], provider))))
),
closing AS (
    SELECT max(send_before) AS at FROM contact_attempts WHERE planned_for_date = $as_of::DATE
)
SELECT coalesce(list_min([o.at, r.at]),
                CASE WHEN $after::TIMESTAMPTZ IS NULL OR c.at > $after::TIMESTAMPTZ THEN c.at END)
FROM opening AS o, closing AS c LEFT JOIN retry AS r ON true;
