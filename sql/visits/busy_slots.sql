-- The slots field agents already hold around $as_of (visits assigned by earlier plan days):
-- agent_id, slot_start, slot_end. Why: an agent's slots never overlap, whichever day planned them.
SELECT u.agent_id, va.slot_start, va.slot_end
FROM visit_assignments AS va, unnest(va.agent_ids) AS u(agent_id)
WHERE va.outcome = 'assigned' AND va.work_date BETWEEN $as_of::DATE - 1 AND $as_of::DATE + 1
ORDER BY 1, 2;
