-- Write one record's verdict: from status $from to $status ('delivered' also sets delivered_at = $now),
-- with $error (the reason; NULL clears it). Returns rows changed (0: it was not in $from any more).
UPDATE arrangement_exports
SET status = $status,
    delivered_at = CASE WHEN $status = 'delivered' THEN $now ELSE delivered_at END,
    error = $error
WHERE export_id = $export_id AND status = $from;
