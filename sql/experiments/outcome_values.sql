-- outcome_values: the per-unit values behind the arms' means, for the differences in means and
-- their intervals (loan_comms/experiments/stats.py): one row per (arm, measure, value) with
--   recovered:<currency>  per member holding a loan in that currency (zero included: intention to
--              treat), what was paid on their delinquent loans in that currency inside each loan's cure
--              window and by $as_of (as recovered.sql sums it)
--   nps        per NPS answer since assignment: +100 promoter (9-10), 0 passive, -100 detractor (0-6),
--              so the mean of the values is the arm's NPS
--   csat       per CSAT answer since assignment: the score (1-5)
-- Reads the temp tables of members.sql and units.sql (run them first). Numbers only, no ids.
WITH held AS (
    SELECT DISTINCT m.arm, m.borrower_id, l.currency
    FROM experiment_members AS m JOIN loans AS l ON l.borrower_id = m.borrower_id
),
paid AS (
    SELECT u.borrower_id, l.currency, sum(p.amount) AS recovered
    FROM experiment_units AS u
    JOIN experiment_members AS m ON m.borrower_id = u.borrower_id
    JOIN loans AS l ON l.loan_id = u.loan_id
    JOIN payment_feed AS p ON p.loan_id = u.loan_id
    WHERE timezone(m.timezone, p.paid_at)::DATE BETWEEN u.index_day AND least(u.window_end, $as_of::DATE)
    GROUP BY u.borrower_id, l.currency
)
SELECT h.arm, 'recovered:' || h.currency AS measure, coalesce(p.recovered, 0)::DOUBLE AS value
FROM held AS h LEFT JOIN paid AS p ON p.borrower_id = h.borrower_id AND p.currency = h.currency
UNION ALL
SELECT m.arm, i.scale,
       CASE WHEN i.scale = 'csat' THEN s.score
            WHEN s.score >= 9 THEN 100 WHEN s.score <= 6 THEN -100 ELSE 0 END::DOUBLE
FROM experiment_members AS m
JOIN survey_invitations AS i ON i.borrower_id = m.borrower_id
JOIN survey_answers AS s ON s.token = i.token
WHERE timezone(m.timezone, s.answered_at)::DATE BETWEEN m.assigned_on AND $as_of::DATE;
