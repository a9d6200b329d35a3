-- Marks the handoffs row of a recalled case (recalled_at, recall_reason), in the recall's
-- transaction: the row of the hand-off handoff_state holds for $loan_id, written now when the plan
-- has not recorded it yet (a hand-off step sent since the last plan), so the export never takes a
-- recalled case. Returns the number of rows written.
INSERT INTO handoffs (loan_id, borrower_id, step, attempt_id, handed_off_at, partner, recorded_at, recalled_at,
                      recall_reason)
SELECT s.loan_id, s.borrower_id, s.step, s.attempt_id, s.handed_off_at, h.partner, $now, $now, $reason
FROM handoff_state AS s
JOIN cfg_handoff AS h ON h.step = s.step
WHERE s.loan_id = $loan_id
ON CONFLICT (loan_id) DO UPDATE SET
    borrower_id = excluded.borrower_id, step = excluded.step, attempt_id = excluded.attempt_id,
    handed_off_at = excluded.handed_off_at, partner = excluded.partner,
    exported_at = CASE WHEN handoffs.handed_off_at = excluded.handed_off_at THEN handoffs.exported_at END,
    export_file = CASE WHEN handoffs.handed_off_at = excluded.handed_off_at THEN handoffs.export_file END,
    recalled_at = excluded.recalled_at, recall_reason = excluded.recall_reason;
