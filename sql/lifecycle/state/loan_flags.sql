-- loan_flags: per loan as of $now: open dispute, the last hardship request's local day (the pause),
-- the local day of a hardship request naming this loan (the repayment-plan offer goes on it), and
-- the latest promise to pay (from a reply, a call outcome or a visit outcome) with its date, time
-- and amount. A visit_outcome 'hardship' counts as a hardship request (the person's situation,
-- told at the door: every loan), 'promise_to_pay' as a promise on the visited loan.
-- Scope (loan_comms/policy/kinds.py, borrower_events.scope): a dispute or a hardship request
-- reaches EVERY loan of the borrower unless it was recorded with scope 'loan' (an operator naming
-- the disputed loan); a row without a scope (recorded before scopes) is borrower-wide, the safe
-- reading. Issue 11 case 6: a DISPUTE reply on one loan pauses the other loans too. Promises are
-- always about their own loan.
CREATE OR REPLACE TEMP TABLE loan_flags AS
WITH ev AS (
    SELECT e.borrower_id, e.loan_id, e.occurred_at, e.amount, b.timezone,
           coalesce(e.scope, 'borrower') = 'loan' AND e.kind <> 'visit_outcome' AS loan_scoped,
           CASE WHEN e.kind IN ('call_outcome', 'visit_outcome')
                 AND json_extract_string(e.detail, '$.outcome') = 'promise_to_pay' THEN 'promise_to_pay'
                WHEN e.kind = 'visit_outcome' AND json_extract_string(e.detail, '$.outcome') = 'hardship'
                THEN 'hardship_request'
                ELSE e.kind END AS kind,
           json_extract_string(e.detail, '$.promised_date') AS promised_date
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE e.occurred_at <= $now
      AND e.kind IN ('dispute', 'dispute_resolved', 'hardship_request', 'promise_to_pay', 'call_outcome',
                     'visit_outcome')
),
reach AS (   -- each event on every loan it reaches: its own loan, or all the borrower's loans
    SELECT ev.*, ev.loan_id AS on_loan FROM ev
    WHERE ev.loan_id IS NOT NULL AND (ev.loan_scoped OR ev.kind IN ('promise_to_pay', 'call_outcome', 'visit_outcome'))
    UNION ALL
    SELECT ev.*, l.loan_id AS on_loan
    FROM ev JOIN loans AS l ON l.borrower_id = ev.borrower_id
    WHERE NOT ev.loan_scoped AND ev.kind IN ('dispute', 'dispute_resolved', 'hardship_request')
)
SELECT on_loan AS loan_id,
       coalesce(arg_max(kind, occurred_at) FILTER (WHERE kind IN ('dispute', 'dispute_resolved')) = 'dispute',
                false) AS dispute_open,
       max(timezone(timezone, occurred_at)::DATE) FILTER (WHERE kind = 'hardship_request') AS hardship_requested_on,
       max(timezone(timezone, occurred_at)::DATE) FILTER (WHERE kind = 'hardship_request' AND loan_id = on_loan)
           AS hardship_named_on,
       arg_max(TRY_CAST(promised_date AS DATE), occurred_at) FILTER (WHERE kind = 'promise_to_pay') AS promised_date,
       max(occurred_at) FILTER (WHERE kind = 'promise_to_pay') AS promised_at,
       arg_max(amount, occurred_at) FILTER (WHERE kind = 'promise_to_pay') AS promised_amount
FROM reach
GROUP BY on_loan
HAVING count(*) FILTER (WHERE kind IN ('dispute', 'dispute_resolved', 'hardship_request', 'promise_to_pay')) > 0;
