-- The home visits we actually made, which a field team's outcome may refer to. Returns
-- (attempt_id, borrower_id, loan_id) of every visit contact with a sent_at (scheduled to the team).
SELECT attempt_id, borrower_id, loan_id FROM contact_attempts WHERE channel = 'visit' AND sent_at IS NOT NULL;
