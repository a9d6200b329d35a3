-- An approval ($arrangement_id), before review_decide.sql makes it active: the request's installments
-- fall due from the approval day $starts_on (+ k months, clamped to the month's end), the amounts
-- as requested. Only while the request is pending. Returns nothing.
UPDATE arrangement_installments AS i
SET due_date = ($starts_on::DATE + to_months(i.installment_no))::DATE
WHERE i.arrangement_id = $arrangement_id
  AND EXISTS (SELECT 1 FROM arrangements AS a WHERE a.arrangement_id = i.arrangement_id AND a.status = 'pending_review');
