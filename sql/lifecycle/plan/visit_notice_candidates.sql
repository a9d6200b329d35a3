-- Visit notices: the letter (or message) announcing a home visit, on the channels of
-- [follow_ups].visit_notice_channels. Planned for an episode whose next ladder step
-- (ladder_next.sql) goes by visit, from the day that step is [visits].notice_days
-- ($visit_notice_days) from its min_dpd, so a loan on time is visited on time; once per episode
-- (a notice that could never go counts as given, like any step). The visit itself waits until
-- the notice went notice_days before (gate rule awaiting_visit_notice). With a roster, a notice of a
-- visit no pair of field agents could ever make is proposed here and suppressed by the gate rule
-- no_field_pair (the one definition, shared with the visit plan): it is never sent, and it is in the log.
-- Why: FCA CONC 7.9.12-13: a visit needs a clear purpose and adequate notice (issue 11 case 8).
INSERT INTO candidates
SELECT contact_key(n.borrower_id, n.loan_id, c.step, c.channel, $as_of::DATE),
       n.borrower_id, n.loan_id, n.oldest_unpaid_no, c.channel, 'follow_up', c.step, n.episode_id,
       c.severity, n.overdue_amount, n.oldest_unpaid_due, n.dpd, NULL
FROM ladder_next AS n
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'visit_notice'
WHERE n.is_visit AND n.dpd >= n.min_dpd - $visit_notice_days::INTEGER
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.episode_id = n.episode_id AND a.step = 'visit_notice'
                    AND a.planned_for_date < $as_of::DATE AND step_taken(a.status, a.suppressed_reason));
