-- After held_calls.sql and the gate: how many calls a dialer may still dial the gate now forbids,
-- by reason (the dispatch report's "cancelled" counts, keyed 'held:<reason>').
SELECT 'held:' || reason AS reason, count(*) AS n FROM gate_verdicts GROUP BY reason ORDER BY reason;
