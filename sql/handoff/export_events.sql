-- What the borrower did and told us, for each case (handoff_export_due): every event of the loan
-- and every borrower-wide event of the borrower (no loan named, or scope 'borrower': cease-contact,
-- attorney, bankruptcy, complaints, hardship, opt-outs, preferences, ...), with kind, scope, channel,
-- amount, source, contact point id and detail. The raw texts (kinds in $text_kinds: SMS and e-mail
-- replies, agents' notes) are left out: their meaning is its own event; free-text keys of the detail
-- are dropped by the caller. Oldest first.
SELECT d.case_id, e.event_id, e.kind, e.loan_id, e.scope, e.occurred_at, e.channel, e.amount, e.source,
       e.contact_point, e.detail
FROM handoff_export_due AS d
JOIN borrower_events AS e
  ON e.borrower_id = d.borrower_id
 AND (e.loan_id = d.loan_id OR e.loan_id IS NULL OR e.scope = 'borrower')
WHERE NOT list_contains($text_kinds, e.kind)
ORDER BY d.case_id, e.occurred_at, e.event_id;
