-- visits_per_day: Did any borrower get more than one home visit on one local day? One visit a day,
-- whatever the number of loans: a second pair of collectors at the door the same day is pressure
-- (FCA CONC 7.9: no contact at an unreasonable frequency; ../shared/rules.md), and the first visit may
-- have heard hardship or a dispute that the second one could not know of.
-- The local day is the audit's own reading: the visit's time (sent_at, else the window's opening) on
-- the borrower's clock (borrowers.timezone).
-- Checked: every visit that was not suppressed.
-- Violation: the visit is the borrower's second (or later) that local day, by time.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH visits AS (
    SELECT a.attempt_id, a.borrower_id, a.loan_id, a.step, a.status, coalesce(a.sent_at, a.send_after) AS visited_at,
           timezone(coalesce(b.timezone, 'UTC'), coalesce(a.sent_at, a.send_after))::DATE AS local_day
    FROM contact_attempts AS a
    LEFT JOIN borrowers AS b USING (borrower_id)
    WHERE a.channel = 'visit' AND a.status <> 'suppressed'
),
numbered AS (
    SELECT v.*, row_number() OVER (PARTITION BY v.borrower_id, v.local_day ORDER BY v.visited_at, v.attempt_id) AS visit_no
    FROM visits AS v
)
SELECT attempt_id, borrower_id, loan_id, step, status, visited_at, local_day, visit_no,
       CASE WHEN visit_no > 1 THEN 'visit ' || visit_no || ' to the borrower on ' || local_day || ' (one a day)' END
           AS violation
FROM numbered;
