-- loan_flags: per loan as of $now: open dispute, the last hardship request's local day, and the
-- latest promise to pay (from a reply, a call outcome or a visit outcome) with its date, time and
-- amount. A visit_outcome 'hardship' counts as a hardship request, 'promise_to_pay' as a promise.
CREATE OR REPLACE TEMP TABLE loan_flags AS
WITH ev AS (
    SELECT e.loan_id, e.occurred_at, e.amount, b.timezone,
           CASE WHEN e.kind IN ('call_outcome', 'visit_outcome')
                 AND json_extract_string(e.detail, '$.outcome') = 'promise_to_pay' THEN 'promise_to_pay'
                WHEN e.kind = 'visit_outcome' AND json_extract_string(e.detail, '$.outcome') = 'hardship'
                THEN 'hardship_request'
                ELSE e.kind END AS kind,
           json_extract_string(e.detail, '$.promised_date') AS promised_date
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE e.occurred_at <= $now AND e.loan_id IS NOT NULL
      AND e.kind IN ('dispute', 'dispute_resolved', 'hardship_request', 'promise_to_pay', 'call_outcome',
                     'visit_outcome')
)
SELECT loan_id,
       coalesce(arg_max(kind, occurred_at) FILTER (WHERE kind IN ('dispute', 'dispute_resolved')) = 'dispute',
                false) AS dispute_open,
       max(timezone(timezone, occurred_at)::DATE) FILTER (WHERE kind = 'hardship_request') AS hardship_requested_on,
       arg_max(TRY_CAST(promised_date AS DATE), occurred_at) FILTER (WHERE kind = 'promise_to_pay') AS promised_date,
       max(occurred_at) FILTER (WHERE kind = 'promise_to_pay') AS promised_at,
       arg_max(amount, occurred_at) FILTER (WHERE kind = 'promise_to_pay') AS promised_amount
FROM ev
GROUP BY loan_id
HAVING count(*) FILTER (WHERE kind IN ('dispute', 'dispute_resolved', 'hardship_request', 'promise_to_pay')) > 0;
