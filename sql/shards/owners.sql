-- shard_owners: the shard each owning key lives in, for routing rows that are not keyed by the
-- borrower (loan_comms/shards/split.py): (owner, key, shard) with owner
--   'borrower'     borrower_id   borrower_shards
--   'loan'         loan_id       the loan's borrower (installments, payments, episodes, handoffs...)
--   'attempt'      attempt_id    the contact's borrower (messages, outbox, receipts, dialer rows)
--   'arrangement'  arrangement_id  the repayment plan's borrower (its loans, installments, exports)
--   'offer'        token         the plan offer's borrower (its options and loans)
--   'survey'       token         the survey invitation's borrower (its answers)
-- A key with no owner (a row about an unknown loan or contact) is routed by md5_number of the key
-- itself (split.py): every row lands in exactly one shard.
CREATE OR REPLACE TEMP TABLE shard_owners AS
SELECT 'borrower' AS owner, borrower_id AS key, shard FROM borrower_shards
UNION ALL
SELECT 'loan', l.loan_id, s.shard FROM loans AS l JOIN borrower_shards AS s USING (borrower_id)
UNION ALL
SELECT 'attempt', a.attempt_id, s.shard FROM contact_attempts AS a JOIN borrower_shards AS s USING (borrower_id)
UNION ALL
SELECT 'arrangement', r.arrangement_id, s.shard FROM arrangements AS r JOIN borrower_shards AS s USING (borrower_id)
UNION ALL
SELECT 'offer', o.token, s.shard FROM arrangement_offers AS o JOIN borrower_shards AS s USING (borrower_id)
UNION ALL
SELECT 'survey', i.token, s.shard FROM survey_invitations AS i JOIN borrower_shards AS s USING (borrower_id);
