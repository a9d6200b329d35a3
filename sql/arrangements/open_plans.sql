-- The open plan on each of the loans of registered _plan_keys.k: one waiting for review, or active
-- and neither broken nor kept (no arrangement_broken / arrangement_kept event: part B records them).
-- A loan covered by an open plan cannot get a second one.
SELECT c.loan_id, arg_max(a.arrangement_id, a.requested_at) AS arrangement_id
FROM arrangement_loans AS c
JOIN arrangements AS a USING (arrangement_id)
WHERE c.loan_id IN (SELECT k FROM _plan_keys)
  AND (a.status = 'pending_review'
       OR (a.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                           WHERE e.external_id IN ('arr:' || a.arrangement_id || ':broken',
                                                   'arr:' || a.arrangement_id || ':kept'))))
GROUP BY c.loan_id;
