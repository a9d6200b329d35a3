-- guardrail_rates: per arm of experiment $experiment, the counts its guardrails compare against the
-- champion: borrowers (experiment_members, by the arm drawn: members.sql), and how many of them
-- complained or opted out from their assignment day to $as_of (member_events.sql, run both first).
-- The rates (share of borrowers with at least one such event) and their intervals are computed in
-- loan_comms/experiments/guardrails.py. One row per arm with members.
SELECT arm, count(*) AS borrowers,
       count(*) FILTER (WHERE complaints > 0) AS complaint_borrowers,
       count(*) FILTER (WHERE opt_outs > 0) AS opt_out_borrowers
FROM experiment_member_events
GROUP BY arm
ORDER BY arm;
