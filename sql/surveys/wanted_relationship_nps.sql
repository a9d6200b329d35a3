-- relationship_nps: active borrowers (a loan with something outstanding), each asked on one day of
-- the month drawn from sha256(borrower|month) (days 1..28); which borrowers are asked is the
-- programme's sample_rate over the same hash (sql/surveys/candidates.sql), so a month's sample
-- and day are fixed whatever re-runs. The survey is on the borrower's loan with most outstanding (a tie:
-- the smallest loan id, so every run picks the same one).
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key).
SELECT s.borrower_id, first(s.loan_id ORDER BY s.owed DESC, s.loan_id) AS loan_id, NULL::VARCHAR AS trigger_attempt_id,
       NULL::VARCHAR AS team, s.borrower_id || '|' || strftime($as_of::DATE, '%Y-%m') AS sample_key
FROM (SELECT borrower_id, loan_id, outstanding_total AS owed FROM loan_state) AS s   -- one row per loan owing
GROUP BY s.borrower_id
HAVING day($as_of::DATE) = 1 + (('0x' || substr(sha256('day|' || s.borrower_id || '|'
                                                       || strftime($as_of::DATE, '%Y-%m')), 1, 8))::UBIGINT % 28);
