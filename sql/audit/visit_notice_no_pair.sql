-- visit_notice_no_pair: Did a visit notice go only where a visit could follow it? A notice (the
-- follow-up step visit_notice, sent or delivered) announces a home visit; when the visit of the same
-- loan and delinquency episode was then never made because no pair of field agents could make it
-- (its visit contact suppressed 'no_field_pair' in contact_attempts, or its visit_assignments row
-- carried with reason 'no_field_pair'), the borrower was told of a visit that never came.
-- Why: a notice announcing a visit nobody will make misleads and intimidates the borrower (FCA CONC
-- 7.9.12-13 and 2.5: clear, fair, not misleading; CFPB Reg F 1006.18(c)(5): no threat of an action
-- not intended); China's guidance expects two collectors at a door, so without a pair there is no visit.
-- Reads the log (contact_attempts, visit_assignments) only. A roster changed between the notice and
-- the visit (a pair removed) shows here too: the borrower was still told of a visit that did not come.
-- Checked: every visit notice that went.
-- Violation: the notice went, no visit of its loan and episode was ever made, and the episode's
-- visit ended no_field_pair.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH notices AS (
    SELECT attempt_id, borrower_id, loan_id, episode_id, channel, step, sent_at, sent_day
    FROM audit_contacts
    WHERE step = 'visit_notice' AND status IN ('sent', 'delivered')
),
visit_contacts AS (
    SELECT attempt_id, loan_id, episode_id, planned_for_date, status, suppressed_reason, sent_at
    FROM contact_attempts
    WHERE channel = 'visit'
),
no_pair AS (   -- the visits that could not be made: no pair of field agents (contact or plan row)
    SELECT v.loan_id, v.episode_id, min(v.planned_for_date) AS day
    FROM visit_contacts AS v
    LEFT JOIN visit_assignments AS va ON va.attempt_id = v.attempt_id
    WHERE (v.status = 'suppressed' AND v.suppressed_reason = 'no_field_pair')
       OR (va.outcome = 'carried' AND va.reason = 'no_field_pair')
    GROUP BY ALL
),
made AS (
    SELECT DISTINCT loan_id, episode_id FROM visit_contacts WHERE sent_at IS NOT NULL
)
SELECT n.*, p.day AS no_pair_day,
       CASE WHEN p.day IS NOT NULL AND m.loan_id IS NULL
                THEN 'visit notice sent on local day ' || n.sent_day || ' but its visit was never made: no pair '
                     || 'of field agents could make it (no_field_pair on ' || p.day || ')'
       END AS violation
FROM notices AS n
LEFT JOIN no_pair AS p ON p.loan_id = n.loan_id AND p.episode_id IS NOT DISTINCT FROM n.episode_id
LEFT JOIN made AS m ON m.loan_id = n.loan_id AND m.episode_id IS NOT DISTINCT FROM n.episode_id;
