-- How a plan was agreed (issue 15 follow-up): the channel the borrower chose it on. 'web' (the plan
-- page), 'sms' (the SMS menu), 'call' or 'visit' (an agent's record: the channel column of
-- record-arrangements, validated there); NULL for a choice file (source 'file', which names no
-- channel) and for plans recorded before this column. Written once with the plan (accept.write_plans),
-- read by the plan analytics (stats_plans.sql, dimension agreed_via). Idempotent.
ALTER TABLE arrangements ADD COLUMN IF NOT EXISTS agreed_via VARCHAR;
