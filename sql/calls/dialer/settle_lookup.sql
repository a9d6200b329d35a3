-- Settles the unknown pushes the dialer's list was asked about (temp table dialer_asked: attempt_id;
-- dialer_found: ref, dialer_id, one row per call the dialer holds): found -> 'sent' with the dialer's
-- id (the first, should it hold two); absent -> 'pending' (pushed again) ONLY when the dialer cannot
-- have dialled it yet: its slot has not begun at $now (call_assignments.slot_start; the dialer dials
-- from the slot on) and no dial outcome (call_outcome naming it) ever came back. Otherwise absent
-- stays 'unknown' with an error saying a person must check: a dialer that drops completed calls
-- from its list would otherwise get the call again with a fresh max_dials and dial the borrower
-- twice (review 16 item a). The attention list and the report make it loud.
-- Returns nothing; only rows still 'unknown' change.
UPDATE dialer_pushes p
SET state = CASE WHEN f.dialer_id IS NOT NULL THEN 'sent' WHEN f.safe THEN 'pending' ELSE 'unknown' END,
    dialer_ref = coalesce(f.dialer_id, p.dialer_ref),
    error = CASE WHEN f.dialer_id IS NOT NULL THEN 'found in the dialer''s list'
                 WHEN f.safe THEN 'absent from the dialer''s list before its slot, no outcome: pushed again'
                 ELSE 'absent from the dialer''s list, but it may have dialled the call and dropped it (its slot '
                      || 'has begun or an outcome came back): NOT pushed again; a person must check with the dialer' END,
    updated_at = $now
FROM (SELECT q.attempt_id, min(f.dialer_id) AS dialer_id,
             coalesce(any_value(ca.slot_start) > $now, false)
             AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                             WHERE e.kind = 'call_outcome' AND json_valid(e.detail)
                               AND json_extract_string(e.detail, '$.attempt_id') = q.attempt_id) AS safe
      FROM dialer_asked q
      LEFT JOIN dialer_found f ON f.ref = q.attempt_id
      LEFT JOIN call_assignments ca ON ca.attempt_id = q.attempt_id
      GROUP BY q.attempt_id) f
WHERE p.attempt_id = f.attempt_id AND p.state = 'unknown';
