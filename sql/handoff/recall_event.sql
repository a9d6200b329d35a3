-- Records the operator's recall of a handed-off case as a handoff_recalled event of the loan (scope
-- loan), once: its external_id names the loan and the hand-off it ends, so recalling the same
-- hand-off twice records one event. detail: the reason (operator's words), who, and the hand-off
-- instant it ends. Returns the number of rows written.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, source, external_id, recorded_at, scope)
SELECT s.borrower_id, s.loan_id, 'handoff_recalled', $now,
       json_object('reason', $reason, 'by', $by, 'handed_off_at', strftime(s.handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ')),
       'operator', 'handoff-recall:' || s.loan_id || ':' || strftime(s.handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ'),
       $now, 'loan'
FROM handoff_state AS s
WHERE s.loan_id = $loan_id
ON CONFLICT DO NOTHING;
