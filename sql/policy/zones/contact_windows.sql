-- contact_windows: the window of each (borrower, local day) being judged (gate_input), in UTC:
--   send_after  = the LATEST  of day + window_start over every plausible zone (borrower_zones),
--   send_before = the EARLIEST of day + window_end  over every plausible zone,
-- with the borrower's effective window (borrower_policy: strictest profile, narrowed by the
-- contact preference); day = planned_for_date, the local day on file. send_after >= send_before:
-- no common window (the gate's no_common_window rule). Also the number of zones and their names.
-- Why: Reg F 1006.6(b)(1) comment 2: when the consumer may be in several zones, only a time
-- convenient in all of them is; a contact at 05:00 Los Angeles time is not excused by 08:00 New York.
CREATE OR REPLACE TEMP TABLE contact_windows AS
WITH days AS (SELECT DISTINCT borrower_id, planned_for_date AS day FROM gate_input)
SELECT d.borrower_id, d.day,
       max(timezone(z.zone, d.day + p.window_start)) AS send_after,
       min(timezone(z.zone, d.day + p.window_end)) AS send_before,
       count(*) AS zone_count,
       list(z.zone ORDER BY z.zone) AS zones
FROM days AS d
JOIN borrower_policy AS p USING (borrower_id)
JOIN borrower_zones AS z USING (borrower_id)
GROUP BY d.borrower_id, d.day;
