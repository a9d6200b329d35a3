-- The visit plan of plan day $as_of for people (the CLI, the flow's artifacts, the field sheets):
-- every visit_assignments row of the day, assigned or carried, with the visit's step, the language
-- the pair speaks with the borrower, the slot on the borrower's clock (local HH:MM and the zone),
-- and what became of the visit since (the contact's status: planned, sent = released to the field
-- team at the slot's start, suppressed with its reason = cancelled at the re-check before it went,
-- e.g. a payment or a pause; and the field team's latest outcome, 'cancelled' included).
-- Ids only: no name, phone, e-mail or address. Ordered by city, district, pair, route order.
SELECT va.attempt_id, va.borrower_id, va.loan_id, a.step, b.language, va.city, va.district,
       array_to_string(va.agent_ids, '+') AS pair, va.agent_ids, va.work_date, va.route_order,
       va.slot_start, va.slot_end, b.timezone,
       strftime(timezone(b.timezone, va.slot_start), '%H:%M') AS slot_from_local,
       strftime(timezone(b.timezone, va.slot_end), '%H:%M') AS slot_to_local,
       va.outcome, va.reason, va.carried_days,
       a.status, a.suppressed_reason,
       (SELECT arg_max(json_extract_string(e.detail, '$.outcome'), e.occurred_at)
        FROM borrower_events AS e
        WHERE e.kind = 'visit_outcome' AND json_valid(e.detail)
          AND json_extract_string(e.detail, '$.attempt_id') = va.attempt_id) AS field_outcome
FROM visit_assignments AS va
LEFT JOIN contact_attempts AS a USING (attempt_id)
LEFT JOIN borrowers AS b ON b.borrower_id = va.borrower_id
WHERE va.plan_date = $as_of::DATE
ORDER BY va.outcome, va.city NULLS LAST, va.district NULLS LAST, pair NULLS LAST, va.route_order, va.attempt_id;
