-- The offers named by tokens (registered _plan_keys.k) with the borrower's time zone, the loans the
-- offer was computed on (offer_loans: arrangement_offer_loans; the offer's own loan when none were
-- recorded) and each option the offer showed (one row per option; option columns NULL for an offer
-- recorded without options).
SELECT o.token, o.borrower_id, o.loan_id, o.expires_at, b.timezone,
       coalesce((SELECT list(x.loan_id ORDER BY x.loan_id) FROM arrangement_offer_loans AS x WHERE x.token = o.token),
                [o.loan_id]) AS offer_loans,
       p.option_no, p.option_id, p.kind, p.months, p.payment, p.total, p.freeze_interest, p.needs_review, p.schedule
FROM arrangement_offers AS o
JOIN borrowers AS b USING (borrower_id)
LEFT JOIN arrangement_offer_options AS p USING (token)
WHERE o.token IN (SELECT k FROM _plan_keys)
ORDER BY o.token, p.option_no;
