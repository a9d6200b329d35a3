-- Contacts made (not suppressed) per (purpose, step, channel) over $start..$end: in the recorded
-- log, in the replay, and added / removed / otherwise different (replay_diff). Counts only, one row
-- per (purpose, step, channel) seen on either side.
WITH rec AS (
    SELECT purpose, step, channel, count(*) FILTER (WHERE status <> 'suppressed') AS n
    FROM replay_recorded_attempts GROUP BY ALL
), rep AS (
    SELECT purpose, step, channel, count(*) FILTER (WHERE status <> 'suppressed') AS n
    FROM contact_attempts WHERE planned_for_date BETWEEN $start AND $end GROUP BY ALL
), d AS (
    SELECT purpose, step, channel, count(*) FILTER (WHERE change = 'added') AS added,
           count(*) FILTER (WHERE change = 'removed') AS removed,
           count(*) FILTER (WHERE change = 'differs') AS differs
    FROM replay_diff GROUP BY ALL
)
SELECT purpose, step, channel, coalesce(rec.n, 0) AS recorded, coalesce(rep.n, 0) AS replay,
       coalesce(d.added, 0) AS added, coalesce(d.removed, 0) AS removed, coalesce(d.differs, 0) AS differs
FROM rec FULL OUTER JOIN rep USING (purpose, step, channel) FULL OUTER JOIN d USING (purpose, step, channel)
ORDER BY purpose, step, channel;
