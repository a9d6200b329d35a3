-- loan_state: one row per loan with an unpaid installment on $as_of: the oldest unpaid installment,
-- days past due counted from it (0 when nothing is overdue yet), the overdue amount (installments
-- due before $as_of still owed) and the outstanding total. The loans derived this time are summed
-- from derived_installments; every other loan's summary is stored (state_loans, as
-- installment_state.sql reads state_installments); only what depends on the day (dpd, overdue) is
-- computed for them, overdue from the few installments both due and owed.
CREATE OR REPLACE TEMP TABLE loan_state AS
WITH derived AS (
    SELECT loan_id, any_value(borrower_id) AS borrower_id, min(installment_no) AS oldest_unpaid_no,
           min(due_date) AS oldest_unpaid_due, sum(outstanding) AS outstanding_total
    FROM derived_installments
    WHERE outstanding > 0
    GROUP BY loan_id
),
stored AS (
    SELECT s.loan_id, s.borrower_id, s.oldest_unpaid_no, s.oldest_unpaid_due, s.outstanding_total
    FROM state_loans AS s, state_basis AS b
    WHERE NOT b.whole_book AND s.oldest_unpaid_no IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM stale_loans AS x WHERE x.loan_id = s.loan_id)
      AND (NOT b.pending_only OR s.loan_id IN (SELECT loan_id FROM pending_scope))
),
overdue AS (
    SELECT loan_id, sum(outstanding) AS overdue_amount
    FROM installment_state
    WHERE outstanding > 0 AND due_date < $as_of::DATE
    GROUP BY loan_id
)
SELECT u.loan_id, u.borrower_id, u.oldest_unpaid_no, u.oldest_unpaid_due,
       greatest(date_diff('day', u.oldest_unpaid_due, $as_of::DATE), 0) AS dpd,
       o.overdue_amount, u.outstanding_total
FROM (SELECT * FROM derived UNION ALL SELECT * FROM stored) AS u
LEFT JOIN overdue AS o USING (loan_id);
