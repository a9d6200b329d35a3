-- The calls we actually made, which a dialer outcome may refer to. Returns (attempt_id,
-- borrower_id, loan_id, contact_point) of every call contact with a sent_at: the outcome event
-- records the point the call went to (contact_attempts.contact_point), so a wrong number is
-- pinned on that number, not on whatever number the borrower has today.
SELECT attempt_id, borrower_id, loan_id, contact_point
FROM contact_attempts WHERE channel = 'call' AND sent_at IS NOT NULL;
