-- The calls we actually made, which a dialer outcome may refer to. Returns (attempt_id,
-- borrower_id, loan_id) of every call contact with a sent_at.
SELECT attempt_id, borrower_id, loan_id FROM contact_attempts WHERE channel = 'call' AND sent_at IS NOT NULL;
