-- awaiting_visit_notice: a home visit waits until the episode's visit_notice (the follow-up that
-- announces it) went at least [visits].notice_days (cfg_visits.notice_days) local days before:
-- sent or delivered on a local day at most planned_for_date - notice_days. A notice that could
-- never go (opted out, no recipient) announces nothing: the visit keeps waiting.
-- Why: FCA CONC 7.9.12-13: a visit needs a clear purpose and adequate notice (issue 11 case 8).
-- Audit: visit_notice.
SELECT g.idempotency_key, 'awaiting_visit_notice' AS reason
FROM gate_subjects AS g, cfg_visits AS v
WHERE g.channel = 'visit'
  AND NOT EXISTS (
      SELECT 1 FROM contact_attempts AS n
      WHERE n.episode_id = g.episode_id AND n.loan_id = g.loan_id AND n.step = 'visit_notice'
        AND n.status IN ('sent', 'delivered')
        AND n.planned_for_date <= g.planned_for_date - v.notice_days);
