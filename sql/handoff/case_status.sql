-- The hand-off standing of one loan as of $now, for the recall command's answer: whether the loan
-- exists, whether it is handed off now (handoff_state), and the last recall recorded in handoffs.
-- Returns one row: known, borrower_id, handed_off_at, recalled_at.
SELECT EXISTS (SELECT 1 FROM loans WHERE loan_id = $loan_id) AS known,
       (SELECT borrower_id FROM handoff_state WHERE loan_id = $loan_id) AS borrower_id,
       (SELECT handed_off_at FROM handoff_state WHERE loan_id = $loan_id) AS handed_off_at,
       (SELECT recalled_at FROM handoffs WHERE loan_id = $loan_id) AS recalled_at;
