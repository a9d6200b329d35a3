-- The plan a contact of an arrangement step talks about (registered _plan_keys: idempotency_key,
-- loan_id): the latest arrangement covering the loan (arrangement_loans; latest requested), with its
-- schedule in order, its total and number of installments, and the next installment due on or after $as_of. One query per render batch.
WITH latest AS (
    SELECT k.idempotency_key, arg_max(a.arrangement_id, a.requested_at) AS arrangement_id
    FROM _plan_keys AS k
    JOIN arrangement_loans AS c ON c.loan_id = k.loan_id
    JOIN arrangements AS a ON a.arrangement_id = c.arrangement_id
    GROUP BY k.idempotency_key
)
SELECT l.idempotency_key, a.arrangement_id, a.option_id, a.kind, a.months, a.currency, a.status,
       a.decision_reason, a.starts_on, a.ends_on,
       coalesce(list({'no': i.installment_no, 'due_date': i.due_date, 'amount': i.amount}
                     ORDER BY i.installment_no) FILTER (WHERE i.installment_no IS NOT NULL), []) AS schedule,
       min(i.due_date) FILTER (WHERE i.due_date >= $as_of::DATE) AS next_due_date,
       arg_min(i.amount, i.due_date) FILTER (WHERE i.due_date >= $as_of::DATE) AS next_amount,
       arg_min(i.amount, i.installment_no) AS payment,
       coalesce(sum(i.amount), 0) AS total, count(i.installment_no) AS installments
FROM latest AS l
JOIN arrangements AS a USING (arrangement_id)
LEFT JOIN arrangement_installments AS i USING (arrangement_id)
GROUP BY ALL;
