-- The options of the offers record_offers.sql recorded from one rendered batch (arrangement_offer_options),
-- numbered as the menu numbers them, each once; the schedule as JSON [{"no", "due_date", "amount"}]
-- with the amount as text ("420.00": exact, as the menu shows it). Returns nothing.
INSERT INTO arrangement_offer_options
SELECT r.plan_token, o.option_no, o.option_id, o.kind, o.months, o.payment, o.total, o.freeze_interest,
       o.needs_review, to_json(list_transform(o.schedule, lambda s: {'no': s.no, 'due_date': s.due_date::VARCHAR,
                                                 'amount': s.amount::VARCHAR}))::VARCHAR
FROM rendered_batch AS r
JOIN offer_options AS o USING (idempotency_key)
WHERE r.error IS NULL AND r.plan_token IS NOT NULL
  AND EXISTS (SELECT 1 FROM arrangement_offers AS x WHERE x.token = r.plan_token)
  AND NOT EXISTS (SELECT 1 FROM arrangement_offer_options AS y WHERE y.token = r.plan_token AND y.option_no = o.option_no);
