-- The options of the contacts of one render batch (registered _offer_keys: idempotency_key), from
-- temp table offer_options, in menu order: what plan_options shows (loan_comms/arrangements/offers.py).
SELECT o.*
FROM offer_options AS o
WHERE o.idempotency_key IN (SELECT idempotency_key FROM _offer_keys)
ORDER BY o.idempotency_key, o.option_no;
