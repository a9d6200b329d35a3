-- loan_state: one row per loan with an unpaid installment on $as_of: the oldest unpaid installment,
-- days past due counted from it (0 when nothing is overdue yet) and the overdue amount.
CREATE OR REPLACE TEMP TABLE loan_state AS
SELECT loan_id,
       any_value(borrower_id) AS borrower_id,
       min(installment_no) AS oldest_unpaid_no,
       min(due_date) AS oldest_unpaid_due,
       greatest(date_diff('day', min(due_date), $as_of::DATE), 0) AS dpd,
       sum(outstanding) FILTER (WHERE due_date < $as_of::DATE) AS overdue_amount,
       sum(outstanding) AS outstanding_total
FROM installment_state
WHERE outstanding > 0
GROUP BY loan_id;
