-- stats_plans: rebuilds arrangement_stats_plans, one row per plan agreed or asked for (arrangements),
-- with what the log (borrower_events, kinds arrangement_*, matched by detail.arrangement_id) says
-- became of it by now:
--   outcome   pending_review | declined   the decision (arrangements.status) when it is not active
--             broken    an arrangement_broken event (the first of broken / kept wins, by time)
--             kept      an arrangement_kept event
--             active    accepted, neither broken nor kept yet (on track, or missed and not yet broken)
--   missed    plan installments missed (arrangement_missed events), paid: fully covered ones
--   product   the first covered loan's product; decided_on: the borrower's local day of the decision
--   agreed_via the channel it was agreed on (web, sms, call, visit; schema 091), '(not recorded)' for a
--             choice file or a plan recorded before the column (a page or SMS choice is told by source)
-- Ids only, no names or numbers. Replaced whole on every run (nightly).
CREATE OR REPLACE TABLE arrangement_stats_plans AS
WITH told AS (
    SELECT json_extract_string(e.detail, '$.arrangement_id') AS arrangement_id,
           arg_min(e.kind, e.occurred_at) FILTER (WHERE e.kind IN ('arrangement_broken', 'arrangement_kept')) AS ending,
           count(*) FILTER (WHERE e.kind = 'arrangement_missed') AS missed,
           count(*) FILTER (WHERE e.kind = 'arrangement_payment') AS paid
    FROM borrower_events AS e
    WHERE e.kind IN ('arrangement_broken', 'arrangement_kept', 'arrangement_missed', 'arrangement_payment')
    GROUP BY 1
)
SELECT a.arrangement_id, a.borrower_id, a.loan_id, a.currency, a.option_id, a.kind, a.months, a.source,
       coalesce(a.agreed_via, CASE WHEN a.source IN ('web', 'sms') THEN a.source END, '(not recorded)') AS agreed_via,
       coalesce(l.product, '(none)') AS product, a.status,
       CASE WHEN a.status <> 'active' THEN a.status
            WHEN t.ending = 'arrangement_broken' THEN 'broken'
            WHEN t.ending = 'arrangement_kept' THEN 'kept'
            ELSE 'active' END AS outcome,
       coalesce(t.missed, 0) AS missed,
       coalesce(t.paid, 0) AS paid,
       timezone(b.timezone, a.requested_at)::DATE AS requested_on,
       timezone(b.timezone, a.decided_at)::DATE AS decided_on
FROM arrangements AS a
JOIN borrowers AS b ON b.borrower_id = a.borrower_id
LEFT JOIN loans AS l ON l.loan_id = a.loan_id
LEFT JOIN told AS t ON t.arrangement_id = a.arrangement_id;
