-- A reviewer's decision on a pending request ($arrangement_id): status, who, when, why, and the
-- plan's days. Only a pending request moves (a decided one is never decided again). Returns nothing.
UPDATE arrangements
SET status = $status, decided_at = $decided_at, decided_by = $decided_by, decision_reason = $decision_reason,
    starts_on = $starts_on, ends_on = $ends_on
WHERE arrangement_id = $arrangement_id AND status = 'pending_review';
