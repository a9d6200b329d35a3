-- Records new plans (registered _arr_rows, built by loan_comms/arrangements/accept.py), each
-- arrangement_id and external_id once; recorded_at = $now; agreed_via the channel it was agreed on
-- (schema 091). Returns how many were new.
INSERT INTO arrangements (arrangement_id, borrower_id, loan_id, currency, option_id, kind, months, freeze_interest,
                          offer_token, option_no, source, agent_id, status, requested_at, decided_at, decided_by,
                          decision_reason, starts_on, ends_on, external_id, recorded_at, agreed_via)
SELECT r.arrangement_id, r.borrower_id, r.loan_id, r.currency, r.option_id, r.kind, r.months, r.freeze_interest,
       r.offer_token, r.option_no, r.source, r.agent_id, r.status, r.requested_at, r.decided_at, r.decided_by,
       r.decision_reason, r.starts_on, r.ends_on, r.external_id, $now, r.agreed_via
FROM _arr_rows AS r
WHERE NOT EXISTS (SELECT 1 FROM arrangements AS a
                  WHERE a.arrangement_id = r.arrangement_id OR a.external_id = r.external_id);
