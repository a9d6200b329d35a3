-- Plan requests waiting for a person as of $now (status pending_review), oldest first, with their
-- first payment and total (from their installments), age in hours, deadline (requested_at +
-- $review_within_days days) and whether it has passed.
SELECT a.arrangement_id, a.loan_id, a.option_id, a.kind, a.months, a.currency, a.source, a.agent_id,
       a.decision_reason, a.requested_at,
       coalesce(arg_min(i.amount, i.installment_no), 0) AS payment, coalesce(sum(i.amount), 0) AS total,
       date_diff('minute', a.requested_at, $now::TIMESTAMPTZ) / 60.0 AS age_hours,
       a.requested_at + to_days($review_within_days::INTEGER) AS deadline,
       a.requested_at + to_days($review_within_days::INTEGER) < $now::TIMESTAMPTZ AS overdue
FROM arrangements AS a
LEFT JOIN arrangement_installments AS i USING (arrangement_id)
WHERE a.status = 'pending_review' AND a.requested_at <= $now::TIMESTAMPTZ
GROUP BY ALL
ORDER BY a.requested_at, a.arrangement_id;
