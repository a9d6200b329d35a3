-- outcome_values: the per-unit values behind the arms' means, for the differences in means and
-- their intervals (loan_comms/experiments/stats.py): one row per (arm, measure, value) with
--   recovered:<currency>  per member holding a loan in that currency (zero included: intention to
--              treat), what they paid on their delinquent loans in that currency inside the cure windows
--              (experiment_recovered, recovered_units.sql, which recovered.sql sums)
--   nps        per NPS answer since assignment: +100 promoter (9-10), 0 passive, -100 detractor (0-6),
--              so the mean of the values is the arm's NPS
--   csat       per CSAT answer since assignment: the score (1-5)
-- Reads the temp tables of members.sql, units.sql and recovered_units.sql (run them first). Numbers only, no ids.
SELECT r.arm, 'recovered:' || r.currency AS measure, r.recovered::DOUBLE AS value
FROM experiment_recovered AS r
UNION ALL
SELECT m.arm, i.scale,
       CASE WHEN i.scale = 'csat' THEN s.score
            WHEN s.score >= 9 THEN 100 WHEN s.score <= 6 THEN -100 ELSE 0 END::DOUBLE
FROM experiment_members AS m
JOIN survey_invitations AS i ON i.borrower_id = m.borrower_id
JOIN survey_answers AS s ON s.token = i.token
WHERE timezone(m.timezone, s.answered_at)::DATE BETWEEN m.assigned_on AND $as_of::DATE;
