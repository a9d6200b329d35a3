-- Escalation: for each loan in an open delinquency episode, the next ladder step not yet taken
-- in that episode, once its days past due are reached. One step per loan per day, in order,
-- so a step is never skipped; a step counts as taken once any of its contacts was planned (or
-- could never be made: no recipient, channel opted out), so it is never repeated. A step that
-- the policy held back (caps, pauses, holidays, missed window) is tried again the next day.
INSERT INTO candidates
WITH open_episode AS (   -- open on $as_of, whatever later days did to it (re-runs read the past as it was)
    SELECT episode_id, loan_id FROM day_episodes
    WHERE opened_on <= $as_of::DATE AND (closed_on IS NULL OR closed_on > $as_of::DATE)
),
ladder AS (
    SELECT DISTINCT step, rank, min_dpd FROM cfg_steps WHERE purpose = 'escalation'
),
taken AS (
    SELECT a.episode_id, max(l.rank) AS done_rank
    FROM contact_attempts AS a JOIN ladder AS l USING (step)
    WHERE a.episode_id IS NOT NULL
      AND a.planned_for_date < $as_of::DATE   -- so re-running a day re-proposes the same step
      AND step_taken(a.status, a.suppressed_reason)
    GROUP BY a.episode_id
)
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, s.oldest_unpaid_no, c.channel, 'escalation', c.step, e.episode_id,
       c.severity, s.overdue_amount, s.oldest_unpaid_due, s.dpd, NULL
FROM loan_state AS s
JOIN open_episode AS e USING (loan_id)
LEFT JOIN taken AS t USING (episode_id)
JOIN cfg_steps AS c
  ON c.purpose = 'escalation' AND c.rank = coalesce(t.done_rank, 0) + 1 AND c.min_dpd <= s.dpd
WHERE s.dpd > 0
ON CONFLICT DO NOTHING;
