-- Records new plans (registered _arr_rows, built by loan_comms/arrangements/accept.py), each
-- arrangement_id and external_id once; recorded_at = $now. Returns how many were new.
INSERT INTO arrangements
SELECT r.arrangement_id, r.borrower_id, r.loan_id, r.currency, r.option_id, r.kind, r.months, r.freeze_interest,
       r.offer_token, r.option_no, r.source, r.agent_id, r.status, r.requested_at, r.decided_at, r.decided_by,
       r.decision_reason, r.starts_on, r.ends_on, r.external_id, $now
FROM _arr_rows AS r
WHERE NOT EXISTS (SELECT 1 FROM arrangements AS a
                  WHERE a.arrangement_id = r.arrangement_id OR a.external_id = r.external_id);
