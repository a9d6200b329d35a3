-- The instants a dispatch pass would send the contacts of $day that assume_sent.sql will give out
-- (planned, and not left planned by the recorded log too): each distinct window opening (send_after),
-- earliest first, NULL (no window: sent with no time) last. Returns one row per instant.
SELECT DISTINCT a.send_after AS send_at
FROM contact_attempts AS a
WHERE a.planned_for_date = $day AND a.status = 'planned'
  AND NOT EXISTS (SELECT 1 FROM replay_recorded_attempts AS r
                  WHERE r.idempotency_key = a.idempotency_key AND r.status = 'planned')
ORDER BY send_at NULLS LAST;
