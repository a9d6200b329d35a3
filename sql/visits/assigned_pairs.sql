-- The pair the visit plan assigned to each visit (visit_assignments, outcome 'assigned'): attempt_id,
-- agent_ids. Why: a field report naming other collectors is recorded, counted in the ingest report
-- and flagged by the audit's visit_pair rule.
SELECT attempt_id, agent_ids FROM visit_assignments WHERE outcome = 'assigned';
