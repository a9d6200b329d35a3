-- recheck_windows: each still-planned contact (recheck/window_input.sql) whose window the person's
-- window as of $now (contact_windows: every plausible zone, the strictest profile, the latest
-- contact preference) NARROWS, with the narrowed window: send_after = the later of the stored and
-- the current opening, send_before = the earlier of the stored and the current close; empty when
-- they no longer overlap (then the contact is suppressed no_common_window, sql/policy/recheck/
-- no_window.sql, and keeps its stored window).
-- Only ever narrows: a pass replayed at an earlier instant (knowing less) or a preference that
-- widens the hours never reopens what an earlier decision closed, so replaying a day changes nothing.
-- Why: Reg F 1006.6(b)(1) and comment 2 (times the consumer names; every zone they may be in), FCA
-- CONC 7.9: what the person told us after the day was planned holds for what is still to be sent.
CREATE OR REPLACE TEMP TABLE recheck_windows AS
WITH narrowed AS (
    SELECT i.idempotency_key, i.send_after AS stored_after, i.send_before AS stored_before,
           greatest(i.send_after, coalesce(w.send_after, i.send_after)) AS send_after,
           least(i.send_before, coalesce(w.send_before, i.send_before)) AS send_before
    FROM gate_input AS i
    LEFT JOIN contact_windows AS w ON w.borrower_id = i.borrower_id AND w.day = i.planned_for_date
)
SELECT idempotency_key, send_after, send_before, send_after >= send_before AS empty
FROM narrowed
WHERE send_after <> stored_after OR send_before <> stored_before;
