-- arrangement_state: every plan asked for by $now, with its status on local day $as_of:
--   pending_review  asked for, no person's decision yet (or decided after $now);
--   declined        a person declined it;
--   active          accepted, on track or missed but not broken;
--   broken          accepted, and an installment was still short break_after_days after its date
--                   (broken_on: the first such day);
--   kept            accepted and every installment covered before any break (kept_on: the local day
--                   the last one was covered; kept_at: that payment); a holiday (no installments)
--                   is kept the day after ends_on (its last day) passed.
-- Also: the covered loans (loan_ids; the plan's first loan when arrangement_loans has none yet),
-- decided_day / requested_day (borrower's local days), plan_total / paid (toward the plan),
-- first_missed_no / first_missed_on (the first installment missed before any break), and
-- settled_from: the instant after which the covered loans' own payments apply again to their
-- installments due after ends_on once the plan is kept (installment_state.sql): kept_at, or for a
-- holiday its decision (nothing was paid toward it).
-- Reads arrangement_installment_state (plan_installments.sql). Pure derivation, writes nothing.
CREATE OR REPLACE TEMP TABLE arrangement_state AS
WITH a AS (
    SELECT a.*, b.timezone,
           CASE WHEN a.status IN ('active', 'declined') AND a.decided_at <= $now THEN a.status
                ELSE 'pending_review' END AS decision
    FROM arrangements AS a JOIN borrowers AS b USING (borrower_id)
    WHERE a.requested_at <= $now
),
inst AS (
    SELECT arrangement_id, count(*) AS n, sum(amount) AS plan_total, sum(paid_amount) AS paid,
           count(*) FILTER (WHERE short <= 0) AS covered, max(covered_at) AS last_covered_at,
           max(covered_day) AS last_covered_day, min(break_on) AS broken_on
    FROM arrangement_installment_state GROUP BY arrangement_id
),
missed AS (
    SELECT s.arrangement_id, arg_min(s.installment_no, s.missed_on) AS first_missed_no,
           min(s.missed_on) AS first_missed_on
    FROM arrangement_installment_state AS s JOIN inst AS i USING (arrangement_id)
    WHERE s.missed_on IS NOT NULL AND (i.broken_on IS NULL OR s.missed_on < i.broken_on)
    GROUP BY s.arrangement_id
),
covered_loans AS (
    SELECT arrangement_id, list(loan_id ORDER BY loan_id) AS loan_ids FROM arrangement_loans GROUP BY arrangement_id
),
judged AS (
    SELECT a.*, coalesce(i.n, 0) AS n, coalesce(i.plan_total, 0) AS plan_total, coalesce(i.paid, 0) AS paid,
           i.broken_on,
           CASE WHEN a.decision = 'active' AND i.broken_on IS NULL
                 AND coalesce(i.n, 0) = coalesce(i.covered, 0)
                THEN CASE WHEN coalesce(i.n, 0) = 0 THEN a.ends_on + 1 ELSE i.last_covered_day END END AS kept_day,
           CASE WHEN coalesce(i.n, 0) = 0 THEN a.decided_at ELSE i.last_covered_at END AS kept_instant,
           m.first_missed_no, m.first_missed_on,
           coalesce(c.loan_ids, [a.loan_id]) AS loan_ids
    FROM a
    LEFT JOIN inst AS i USING (arrangement_id)
    LEFT JOIN missed AS m USING (arrangement_id)
    LEFT JOIN covered_loans AS c USING (arrangement_id)
)
SELECT arrangement_id, borrower_id, loan_id, loan_ids, currency, option_id, kind, months, freeze_interest,
       timezone, requested_at, decided_at,
       timezone(timezone, requested_at)::DATE AS requested_day,
       timezone(timezone, decided_at)::DATE AS decided_day,
       starts_on, ends_on, n AS installments, plan_total, paid,
       CASE WHEN decision <> 'active' THEN decision
            WHEN broken_on IS NOT NULL THEN 'broken'
            WHEN kept_day <= $as_of::DATE THEN 'kept'
            ELSE 'active' END AS status,
       broken_on,
       CASE WHEN kept_day <= $as_of::DATE THEN kept_day END AS kept_on,
       CASE WHEN kept_day <= $as_of::DATE THEN
                CASE WHEN n = 0 THEN timezone(timezone, kept_day::TIMESTAMP) ELSE kept_instant END END AS kept_at,
       CASE WHEN kept_day <= $as_of::DATE THEN kept_instant END AS settled_from,
       first_missed_no, first_missed_on
FROM judged;
