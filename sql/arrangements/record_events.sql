-- Records the plan events decide found for the day (arrangement_event_changes: payment, missed,
-- broken, kept), source 'daily_plan', scope 'loan' (what they stop is read through
-- arrangement_loans). Anti-joined on external_id: re-running a day records nothing new. Returns nothing.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, source, scope, external_id, recorded_at)
SELECT c.borrower_id, c.loan_id, c.kind, c.occurred_at, c.detail, 'daily_plan', 'loan', c.external_id, $recorded_at
FROM arrangement_event_changes AS c
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = c.external_id);
