-- handoff_export_due (temp table): the cases of partner $partner to export now: handed off before
-- $cutoff, not exported yet, not recalled. case_id: loan_id '@' the hand-off instant (UTC, to the
-- microsecond): the key a case file's manifest lists, so a case handed off again after a recall is a
-- new case. Returns nothing.
CREATE OR REPLACE TEMP TABLE handoff_export_due AS
SELECT h.loan_id || '@' || strftime(h.handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS case_id,
       h.loan_id, h.borrower_id, h.step, h.attempt_id, h.handed_off_at, h.partner
FROM handoffs AS h
WHERE h.partner = $partner AND h.export_file IS NULL AND h.recalled_at IS NULL AND h.handed_off_at < $cutoff;
