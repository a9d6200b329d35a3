-- The options of the contacts of one render batch (registered _offer_keys: idempotency_key), from
-- temp table offer_options, in menu order: what plan_options shows (loan_comms/arrangements/offers.py
-- menu_entry) and the arrears they are for. Only the first payment's date of each schedule (first_due):
-- the whole schedule and the covered loans, made Python objects per option, cost more than the render.
SELECT o.idempotency_key, o.option_no, o.option_id, o.label_en, o.label_zh, o.kind, o.months, o.payment,
       o.total, o.needs_review, o.equal, o.last, o.arrears, o.schedule[1].due_date AS first_due
FROM offer_options AS o
WHERE o.idempotency_key IN (SELECT idempotency_key FROM _offer_keys)
ORDER BY o.idempotency_key, o.option_no;
