-- Records the hand-offs of handoff_state (sql/handoff/state.sql, derived by the day's decide) that
-- the handoffs table does not hold yet, in the plan's record transaction, for the partner of
-- cfg_handoff. A loan whose row is there and not recalled is left alone (a re-run adds nothing), as
-- is one whose recall came after this hand-off (a replayed earlier day). A recalled row is replaced
-- only by a later hand-off (handed_off_at after the recall): a new case, not exported yet.
-- Returns the number of rows written.
INSERT INTO handoffs (loan_id, borrower_id, step, attempt_id, handed_off_at, partner, recorded_at)
SELECT s.loan_id, s.borrower_id, s.step, s.attempt_id, s.handed_off_at, h.partner, $recorded_at
FROM handoff_state AS s
JOIN cfg_handoff AS h ON h.step = s.step
WHERE NOT EXISTS (SELECT 1 FROM handoffs AS x
                  WHERE x.loan_id = s.loan_id
                    AND (x.recalled_at IS NULL OR s.handed_off_at <= x.recalled_at))
ON CONFLICT (loan_id) DO UPDATE SET
    borrower_id = excluded.borrower_id, step = excluded.step, attempt_id = excluded.attempt_id,
    handed_off_at = excluded.handed_off_at, partner = excluded.partner, recorded_at = excluded.recorded_at,
    exported_at = NULL, export_file = NULL, recalled_at = NULL, recall_reason = NULL;
