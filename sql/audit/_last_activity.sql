-- The last moment the system acted on the contact log: the latest updated_at or sent_at.
-- The audit judges "nothing lost" as of this instant unless told otherwise. Returns one row.
SELECT max(greatest(updated_at, coalesce(sent_at, updated_at))) AS last_activity FROM contact_attempts;
