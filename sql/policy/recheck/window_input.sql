-- gate_input for narrowing the windows at send time: every contact still planned whose stored
-- window has not closed at $now (open or still to open), as the zone files read them
-- (borrower_id, planned_for_date), with the stored window. Only where the person is and their
-- window are derived from it (sql/policy/zones/*.sql); the gate itself judges the narrower set of
-- sql/policy/recheck_input.sql (open at $now), read after the windows are narrowed.
-- Why: the window was decided when the day was planned; a contact preference, a vulnerable flag
-- or a zone learned since then must move the hours of every contact still to go, including those
-- whose stored window opens later today (Reg F 1006.6(b)(1); FCA CONC 7.9).
-- With $day (a local day; NULL for all), only the contacts planned for that day.
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT idempotency_key, borrower_id, loan_id, channel, planned_for_date, send_after, send_before
FROM contact_attempts
-- Letters keep the window they were planned with: a posted letter is not heard at a time of day
-- (no_common_window does not apply to them either, sql/policy/rules/no_common_window.sql).
WHERE status = 'planned' AND send_before > $now AND channel <> 'letter'
  AND ($day::DATE IS NULL OR planned_for_date = $day::DATE);
