-- awaiting_forbearance_offer: where the profile asks for forbearance before escalation, ladder
-- steps after the first wait until the episode's forbearance offer has gone on an earlier day
-- (sent or delivered, or could never go: no recipient, opted out).
-- Why: UK FCA CONC 7.3.4 (forbearance before escalating). Audit: forbearance_before_escalation.
SELECT g.idempotency_key, 'awaiting_forbearance_offer' AS reason
FROM gate_subjects AS g
WHERE g.purpose = 'escalation' AND g.ladder_rank > 1 AND g.profile_forbearance
  AND NOT EXISTS (
      SELECT 1 FROM contact_attempts AS f
      WHERE f.episode_id = g.episode_id AND f.step = 'forbearance_offer'
        AND f.planned_for_date < g.planned_for_date
        AND (f.status IN ('sent', 'delivered') OR f.suppressed_reason = 'no_recipient'
             OR f.suppressed_reason LIKE 'opted_out_%'));
