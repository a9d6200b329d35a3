-- visit_unannounced: the episode's visit notice was decided but can never go while a standing
-- restriction holds (it counts as taken, step_taken, yet it was never sent: a channel the person
-- ruled out, an opt-out, breathing space...). A visit nobody was told about is never made, and
-- waiting for a notice that will not come would stall the ladder for good, before a later
-- legally required notice; so the visit itself counts as a step that could not be made (it is a
-- standing reason in step_taken) and the ladder moves on. A notice withheld because no pair of field
-- agents could make the visit (no_field_pair) is answered by that rule first (earlier in GATE_RULES):
-- the visit is suppressed no_field_pair too while no pair could make it.
-- Why: FCA CONC 7.9.12-13 (a visit needs adequate notice); issue 11 case 7 (a step that can never
-- be sent must not stop the ladder). Audit: visit_notice (no visit without its notice).
SELECT g.idempotency_key, 'visit_unannounced' AS reason
FROM gate_subjects AS g
WHERE g.channel = 'visit'
  AND EXISTS (
      SELECT 1 FROM contact_attempts AS n
      WHERE n.episode_id = g.episode_id AND n.loan_id = g.loan_id AND n.step = 'visit_notice'
        AND n.planned_for_date < g.planned_for_date
        AND step_taken(n.status, n.suppressed_reason) AND n.status = 'suppressed')
  AND NOT EXISTS (
      SELECT 1 FROM contact_attempts AS n
      WHERE n.episode_id = g.episode_id AND n.loan_id = g.loan_id AND n.step = 'visit_notice'
        AND n.status IN ('planned', 'sent', 'delivered'));
