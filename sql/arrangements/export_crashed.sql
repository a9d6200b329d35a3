-- A claim left 'sending' by a pass that died between its claim and the answer (the run lock means no
-- other pass is sending now): the request may have left, so it becomes 'unknown' (claimed_at kept:
-- the lookup waits reconcile_after_seconds from it). Returns rows changed.
UPDATE arrangement_exports
SET status = 'unknown',
    error = 'outcome unknown: the pass stopped between the claim and the answer (crash)'
WHERE status = 'sending';
