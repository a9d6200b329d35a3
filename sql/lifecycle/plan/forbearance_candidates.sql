-- Forbearance offers: where the borrower's profile asks for forbearance before escalation (uk,
-- and default as the strictest), each delinquency episode starts with an offer of a repayment
-- plan or a short break, once per episode. Adds rows to candidates; the gate holds the ladder
-- beyond its first step until the offer has gone (awaiting_forbearance_offer).
INSERT INTO candidates
WITH open_episode AS (   -- open on $as_of, whatever later days did to it
    SELECT episode_id, loan_id, opened_on FROM day_episodes
    WHERE opened_on <= $as_of::DATE AND (closed_on IS NULL OR closed_on > $as_of::DATE)
),
offered AS (
    SELECT DISTINCT episode_id
    FROM contact_attempts
    WHERE step = 'forbearance_offer' AND planned_for_date < $as_of::DATE
      AND step_taken(status, suppressed_reason)
)
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, s.oldest_unpaid_no, c.channel, 'follow_up', c.step, e.episode_id,
       c.severity, s.overdue_amount, s.oldest_unpaid_due, s.dpd, NULL
FROM loan_state AS s
JOIN open_episode AS e USING (loan_id)
JOIN borrowers AS b ON b.borrower_id = s.borrower_id
JOIN cfg_profiles AS p ON p.profile = CASE WHEN b.jurisdiction IN (SELECT profile FROM cfg_profiles)
                                           THEN b.jurisdiction ELSE 'default' END
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'forbearance_offer'
WHERE s.dpd > 0 AND p.forbearance
  AND e.episode_id NOT IN (SELECT episode_id FROM offered);
