-- Records plan events (registered _arr_events: arrangement_requested / _accepted / _declined, external_id
-- 'arr:<arrangement_id>:<kind without arrangement_>'), each external_id once, ever. Scope 'loan': what
-- a plan stops is read through arrangement_loans, not the scope (loan_comms/policy/kinds.py).
-- recorded_at = $now. Returns nothing.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, source, external_id,
                             recorded_at, scope)
SELECT r.borrower_id, r.loan_id, r.kind, r.occurred_at, r.detail, r.channel, r.source, r.external_id, $now, 'loan'
FROM _arr_events AS r
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = r.external_id);
