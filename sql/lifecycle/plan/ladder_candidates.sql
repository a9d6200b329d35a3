-- Escalation: for each loan in an open delinquency episode, the episode's next ladder step
-- (ladder_next.sql: in order, never repeated; a loan first seen late starts at the step its dpd
-- calls for, legally required steps never passed), once its days past due are reached and the
-- pacing allows it: at most one step per loan per [ladder_pacing].min_days_between_steps days
-- (so never more than one a day). A step that the policy held back (caps, pauses, holidays, a
-- visit awaiting its notice, missed window) is tried again the next day.
-- Why: issue 11 case 8 (no catch-up bursts); FCA CONC 7.9 / Reg F 1006.14 (frequency).
-- The step's channels are those of the borrower's arm (ladder_next.arm_key; issue 19).
INSERT INTO candidates
SELECT contact_key(n.borrower_id, n.loan_id, c.step, c.channel, $as_of::DATE),
       n.borrower_id, n.loan_id, n.oldest_unpaid_no, c.channel, 'escalation', c.step, n.episode_id,
       c.severity, n.overdue_amount, n.oldest_unpaid_due, n.dpd, NULL
FROM ladder_next AS n
JOIN cfg_arm_steps AS c ON c.arm_key = n.arm_key AND c.purpose = 'escalation' AND c.step = n.step
WHERE n.min_dpd <= n.dpd AND n.paced_ok;
