-- One row of counts over every export record: records, unfiled, pending, sending, unknown,
-- unknown_overdue (unknown or sending with a claim older than $cutoff = now - reconcile_after_seconds),
-- delivered, failed.
SELECT count(*)::INTEGER AS records,
       count(*) FILTER (WHERE file_day IS NULL AND status <> 'failed')::INTEGER AS unfiled,
       count(*) FILTER (WHERE status = 'pending')::INTEGER AS pending,
       count(*) FILTER (WHERE status = 'sending')::INTEGER AS sending,
       count(*) FILTER (WHERE status = 'unknown')::INTEGER AS unknown,
       count(*) FILTER (WHERE status IN ('unknown', 'sending') AND claimed_at <= $cutoff)::INTEGER AS unknown_overdue,
       count(*) FILTER (WHERE status = 'delivered')::INTEGER AS delivered,
       count(*) FILTER (WHERE status = 'failed')::INTEGER AS failed
FROM arrangement_exports;
