-- The choices (registered _plan_keys.k: external_ids) that landed before: a plan has that external_id.
SELECT a.external_id FROM arrangements AS a WHERE a.external_id IN (SELECT k FROM _plan_keys);
