-- recheck_slots: the assigned calls whose window the re-check before send just narrowed
-- (recheck_windows, not empty; sql/policy/recheck/windows.sql), with where their slot goes now:
-- the slot stays when it is still inside the narrowed window; else it moves to the earliest start
-- inside the narrowed window AND the same agent's shift (agent_days) that is clear of the agent's
-- other slots (candidates: the window's opening, the shift's start, and the end of each other
-- slot); fits = false when there is none (the call is then suppressed no_agent_today and carried,
-- recheck_carry.sql). Two calls of one agent moved in the same pass onto overlapping slots: the
-- first by attempt_id keeps its move, the other does not fit (rare; never two calls at once).
-- dial_until = least(narrowed window end, shift end). Why: a travelling borrower's window can
-- narrow at dispatch; the slot promised to the agent must stay inside it (audit call_slot_window).
CREATE OR REPLACE TEMP TABLE recheck_slots AS
WITH narrowed AS (
    SELECT c.attempt_id, a.idempotency_key, c.agent_id, c.work_date, c.slot_start, c.slot_end,
           c.slot_end - c.slot_start AS len, w.send_after, w.send_before, d.shift_start, d.shift_end,
           c.slot_start >= w.send_after AND c.slot_end <= w.send_before AS inside
    FROM recheck_windows AS w
    JOIN contact_attempts AS a USING (idempotency_key)
    JOIN call_assignments AS c ON c.attempt_id = a.attempt_id AND c.outcome = 'assigned'
    JOIN agent_days AS d ON d.agent_id = c.agent_id AND d.work_date = c.work_date
    WHERE NOT w.empty AND a.channel = 'call'
),
candidates AS (
    SELECT n.attempt_id, n.send_after AS start FROM narrowed AS n
    UNION SELECT n.attempt_id, n.shift_start FROM narrowed AS n
    UNION
    SELECT n.attempt_id, o.slot_end
    FROM narrowed AS n
    JOIN call_assignments AS o
      ON o.agent_id = n.agent_id AND o.work_date = n.work_date AND o.outcome = 'assigned'
     AND o.attempt_id <> n.attempt_id
),
placed AS (
    SELECT n.attempt_id, min(c.start) AS new_start
    FROM narrowed AS n
    JOIN candidates AS c USING (attempt_id)
    WHERE NOT n.inside AND c.start >= greatest(n.send_after, n.shift_start)
      AND c.start + n.len <= least(n.send_before, n.shift_end)
      AND NOT EXISTS (SELECT 1 FROM call_assignments AS o
                      WHERE o.agent_id = n.agent_id AND o.work_date = n.work_date AND o.outcome = 'assigned'
                        AND o.attempt_id <> n.attempt_id
                        AND o.slot_start < c.start + n.len AND o.slot_end > c.start)
    GROUP BY n.attempt_id
),
moved AS (
    SELECT n.*, CASE WHEN n.inside THEN n.slot_start ELSE p.new_start END AS new_start,
           CASE WHEN n.inside THEN n.slot_end ELSE p.new_start + n.len END AS new_end
    FROM narrowed AS n LEFT JOIN placed AS p USING (attempt_id)
),
clashing AS (   -- two calls of one agent moved onto overlapping slots this pass: the later one yields
    SELECT DISTINCT m2.attempt_id
    FROM moved AS m1
    JOIN moved AS m2 ON m1.agent_id = m2.agent_id AND m1.work_date = m2.work_date
     AND m1.attempt_id < m2.attempt_id AND NOT m1.inside AND NOT m2.inside
     AND m1.new_start < m2.new_end AND m1.new_end > m2.new_start
)
SELECT m.attempt_id, m.idempotency_key, m.agent_id, m.work_date,
       m.new_start AS slot_start, m.new_end AS slot_end,
       least(m.send_before, m.shift_end) AS dial_until,
       m.new_start IS NOT NULL AND m.attempt_id NOT IN (SELECT attempt_id FROM clashing) AS fits
FROM moved AS m;
