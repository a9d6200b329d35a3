-- ladder_pacing: Did any loan climb its escalation ladder in a burst? Two different escalation
-- steps of one loan must go out at least [ladder_pacing].min_days_between_steps
-- ($min_days_between_steps) local days apart, whatever the episode (one step's channels may go
-- together on its day).
-- Why: issue 11 case 8 (8 contacts in 7 days after an import at 78 dpd); FCA CONC 7.9 and
-- Reg F 1006.14: no contact at an unreasonable or harassing frequency.
-- Checked: every attempted escalation contact.
-- Violation: another step of the same loan first went out on a local day fewer than
-- min_days_between_steps days before this contact's (the same day included).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH esc AS (
    SELECT attempt_id, borrower_id, loan_id, episode_id, step, channel, sent_at, sent_day
    FROM audit_contacts WHERE purpose = 'escalation'
),
steps AS (   -- the day each step of each episode first went out (a repeat is ladder_order's finding)
    SELECT loan_id, episode_id, step, min(sent_day) AS first_day
    FROM esc GROUP BY loan_id, episode_id, step
),
previous AS (
    SELECT e.attempt_id, max(p.first_day) AS previous_day, arg_max(p.step, p.first_day) AS previous_step
    FROM esc AS e
    JOIN steps AS p
      ON p.loan_id = e.loan_id AND p.first_day <= e.sent_day
     AND (p.step <> e.step OR p.episode_id IS DISTINCT FROM e.episode_id)
    GROUP BY e.attempt_id
)
SELECT e.attempt_id, e.borrower_id, e.loan_id, e.step, e.channel, e.sent_at, e.sent_day,
       p.previous_step, p.previous_day, $min_days_between_steps::INTEGER AS min_days_between_steps,
       CASE WHEN p.previous_day IS NOT NULL
                 AND e.sent_day - p.previous_day < $min_days_between_steps::INTEGER
            THEN 'step ' || e.step || ' ' || (e.sent_day - p.previous_day) || ' day(s) after step '
                 || p.previous_step || ' (at least ' || $min_days_between_steps::INTEGER || ' apart)'
       END AS violation
FROM esc AS e LEFT JOIN previous AS p USING (attempt_id);
