-- The slots earlier plan days already gave the agents' shifts around $as_of (call_assignments
-- 'assigned', work dates as_of-1 .. as_of+1): a new slot must not overlap them (an agent makes one
-- call at a time). Ordered by agent, work date and slot start.
SELECT agent_id, work_date, slot_start, slot_end
FROM call_assignments
WHERE outcome = 'assigned' AND work_date BETWEEN $as_of::DATE - 1 AND $as_of::DATE + 1
ORDER BY agent_id, work_date, slot_start;
