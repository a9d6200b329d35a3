-- The replay's assumption for a contact of $day the recorded log never made (a new key, or one the
-- recorded plan suppressed) whose window opens at $at: it went as planned, sent when its window opened
-- (provider 'replay', no provider id, so nothing claims a receipt), once the dispatch's re-check at
-- that instant (replan.py: policy.recheck_before_send) has let it through, as a real pass would. A key
-- the recorded log also left planned stays planned. Returns the number of contacts assumed sent.
UPDATE contact_attempts AS a
SET status = 'sent', sent_at = a.send_after, provider = 'replay', updated_at = coalesce(a.send_after, a.updated_at)
WHERE a.planned_for_date = $day AND a.status = 'planned' AND a.send_after IS NOT DISTINCT FROM $at
  AND NOT EXISTS (SELECT 1 FROM replay_recorded_attempts AS r
                  WHERE r.idempotency_key = a.idempotency_key AND r.status = 'planned');
