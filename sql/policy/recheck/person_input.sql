-- gate_input for where each person may be and their limits as of $now (gate.person: the files of
-- sql/policy/zones/ read only its borrower_id and planned_for_date), made once per re-check before
-- send for every (borrower, local day) that any of its steps may judge at $now:
--   the contacts still planned whose window has not closed (recheck/window_input.sql, and the open
--   ones among them that recheck_input.sql selects after the windows are narrowed: narrowing only
--   ever shrinks a window) and the calls a dialer may still dial (recheck/held_calls.sql: assigned,
--   planned or already released, dial_until ahead).
-- Why once: who a person is and where they may be as of $now depends on the book and its events,
-- not on which of these steps asks (nor on the state the re-check refreshes in between), so the
-- three steps read one derivation instead of three. A superset is harmless: every reader joins
-- these tables by borrower (and day).
-- With $day (a local day; NULL for all), only the contacts planned for that day.
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT DISTINCT a.borrower_id, a.planned_for_date
FROM contact_attempts AS a
WHERE ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
  AND ((a.status = 'planned' AND a.send_before > $now)
       OR (a.channel = 'call' AND a.status IN ('planned', 'sent')
           AND a.attempt_id IN (SELECT attempt_id FROM call_assignments
                                WHERE outcome = 'assigned' AND dial_until > $now)));
