-- Settles the unknown pushes the dialer's list was asked about (temp table dialer_asked: attempt_id;
-- dialer_found: ref, dialer_id, one row per call the dialer holds): found -> 'sent' with the dialer's
-- id (the first, should it hold two); absent -> 'pending' (it certainly never arrived: pushed again).
-- Returns nothing; only rows still 'unknown' change.
UPDATE dialer_pushes p
SET state = CASE WHEN f.dialer_id IS NULL THEN 'pending' ELSE 'sent' END,
    dialer_ref = coalesce(f.dialer_id, p.dialer_ref),
    error = CASE WHEN f.dialer_id IS NULL THEN 'absent from the dialer''s list: pushed again'
                 ELSE 'found in the dialer''s list' END,
    updated_at = $now
FROM (SELECT q.attempt_id, min(f.dialer_id) AS dialer_id
      FROM dialer_asked q LEFT JOIN dialer_found f ON f.ref = q.attempt_id
      GROUP BY q.attempt_id) f
WHERE p.attempt_id = f.attempt_id AND p.state = 'unknown';
