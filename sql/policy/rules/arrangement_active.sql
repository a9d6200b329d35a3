-- arrangement_active: a repayment plan is asked for (pending_review) or running (active: accepted,
-- not broken, not kept) on local day $as_of on a loan it covers (arrangement_state.loan_ids). While it
-- is, on that loan: no ladder step, no collection follow-up (broken_promise, forbearance_offer,
-- visit_notice, any step flagged collection), no hardship_offer (a plan is agreed or being decided)
-- and no contractual pre-due reminder (the plan's own arrangement_reminder replaces them).
-- Surveys and the plan's own contacts (arrangement_*) are not held.
-- Why: issue 15: an accepted arrangement stops the ladder for every loan it covers; asking for a plan
-- is a request for forbearance, not a reason to chase (UK FCA CONC 7.3.4, 7.3.5).
-- Audit: arrangement_no_escalation (escalation and collection while a plan runs), arrangement_holds
-- (everything else it holds, and all of it while a request waits).
SELECT g.idempotency_key, 'arrangement_active' AS reason
FROM gate_subjects AS g
WHERE (g.purpose IN ('escalation', 'reminder')
       OR (g.purpose = 'follow_up' AND (g.is_collection
                                         OR g.step IN ('broken_promise', 'forbearance_offer', 'visit_notice',
                                                       'hardship_offer'))))
  AND EXISTS (SELECT 1 FROM arrangement_state AS s
              WHERE s.status IN ('pending_review', 'active') AND list_contains(s.loan_ids, g.loan_id)
                AND s.requested_day <= g.planned_for_date);
