-- One plan request for a reviewer's decision ($arrangement_id): the plan, the borrower's time zone,
-- its covered loans and its installments (as lists, in order).
SELECT a.*, b.timezone,
       (SELECT coalesce(list({'loan_id': c.loan_id, 'arrears': c.arrears} ORDER BY c.loan_id), [])
        FROM arrangement_loans AS c WHERE c.arrangement_id = a.arrangement_id) AS covered,
       (SELECT coalesce(list({'no': i.installment_no, 'amount': i.amount} ORDER BY i.installment_no), [])
        FROM arrangement_installments AS i WHERE i.arrangement_id = a.arrangement_id) AS schedule
FROM arrangements AS a JOIN borrowers AS b USING (borrower_id)
WHERE a.arrangement_id = $arrangement_id;
