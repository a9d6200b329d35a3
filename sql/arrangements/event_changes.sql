-- arrangement_event_changes: the plan events recording $as_of adds, when $advance (the newest day;
-- an older day re-read records nothing, like episode_changes): for each accepted plan as of $now,
--   arrangement_payment  each plan installment fully covered before any break (at the covering payment);
--   arrangement_missed   each installment missed before any break (at the start of its missed day);
--   arrangement_broken   the break (at the start of broken_on);
--   arrangement_kept     every installment covered (holiday: its end passed), at kept_at.
-- Each with the contract's deterministic external_id ('arr:' || id || ':' || kind [|| ':' || no])
-- and detail {"arrangement_id", "installment_no"?}; loan_id the plan's first loan, scope 'loan'.
-- Only events not recorded yet (anti-join on external_id). Read by record_events.sql and
-- record_exports.sql in planner.record.
CREATE OR REPLACE TEMP TABLE arrangement_event_changes AS
WITH ev AS (
    SELECT s.arrangement_id, s.borrower_id, s.loan_id, 'payment' AS what, i.installment_no, i.covered_at AS occurred_at
    FROM arrangement_state AS s JOIN arrangement_installment_state AS i USING (arrangement_id)
    WHERE s.status IN ('active', 'broken', 'kept') AND i.short <= 0 AND i.amount > 0
      AND (s.broken_on IS NULL OR i.covered_day < s.broken_on)
    UNION ALL
    SELECT s.arrangement_id, s.borrower_id, s.loan_id, 'missed', i.installment_no,
           timezone(s.timezone, i.missed_on::TIMESTAMP)
    FROM arrangement_state AS s JOIN arrangement_installment_state AS i USING (arrangement_id)
    WHERE s.status IN ('active', 'broken') AND i.missed_on IS NOT NULL
      AND (s.broken_on IS NULL OR i.missed_on < s.broken_on)
    UNION ALL
    SELECT arrangement_id, borrower_id, loan_id, 'broken', NULL, timezone(timezone, broken_on::TIMESTAMP)
    FROM arrangement_state WHERE status = 'broken'
    UNION ALL
    SELECT arrangement_id, borrower_id, loan_id, 'kept', NULL, kept_at
    FROM arrangement_state WHERE status = 'kept'
)
SELECT arrangement_id, borrower_id, loan_id, 'arrangement_' || what AS kind, installment_no, occurred_at,
       'arr:' || arrangement_id || ':' || what || coalesce(':' || installment_no, '') AS external_id,
       CASE WHEN installment_no IS NULL THEN json_object('arrangement_id', arrangement_id)
            ELSE json_object('arrangement_id', arrangement_id, 'installment_no', installment_no) END::VARCHAR AS detail
FROM ev
WHERE $advance
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.external_id = 'arr:' || ev.arrangement_id || ':' || ev.what
                                        || coalesce(':' || ev.installment_no, ''));
