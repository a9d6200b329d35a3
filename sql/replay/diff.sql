-- Every contact key of $start..$end on which the recorded log and the replay differ, kept in the
-- scratch database (replay_diff) for whoever needs to look closer; the report itself shows counts only.
-- change: 'added' (the replay made a contact the recorded log did not: absent or suppressed there),
-- 'removed' (the recorded log made it, the replay did not), 'differs' (made on both sides or on
-- neither, but status, reason, template, language, wording or experiment arm differ, or the row is on
-- one side only).
-- "Made" means not suppressed: planned, sent, delivered or failed. Returns nothing.
CREATE OR REPLACE TABLE replay_diff AS
WITH rec AS (
    SELECT a.*, m.subject, m.body_text FROM replay_recorded_attempts AS a
    LEFT JOIN replay_recorded_messages AS m USING (attempt_id)
), rep AS (
    SELECT a.*, m.subject, m.body_text FROM contact_attempts AS a
    LEFT JOIN contact_messages AS m USING (attempt_id)
    WHERE a.planned_for_date BETWEEN $start AND $end
), joined AS (
    SELECT coalesce(rep.idempotency_key, rec.idempotency_key) AS idempotency_key,
           coalesce(rep.attempt_id, rec.attempt_id) AS attempt_id,
           coalesce(rep.purpose, rec.purpose) AS purpose, coalesce(rep.step, rec.step) AS step,
           coalesce(rep.channel, rec.channel) AS channel,
           coalesce(rep.planned_for_date, rec.planned_for_date) AS planned_for_date,
           coalesce(rec.status <> 'suppressed', false) AS recorded_made,
           coalesce(rep.status <> 'suppressed', false) AS replay_made,
           rec.status AS recorded_status, rep.status AS replay_status,
           rec.suppressed_reason AS recorded_reason, rep.suppressed_reason AS replay_reason,
           rec.idempotency_key IS NULL OR rep.idempotency_key IS NULL
             OR rec.status IS DISTINCT FROM rep.status
             OR rec.suppressed_reason IS DISTINCT FROM rep.suppressed_reason
             OR rec.template_id IS DISTINCT FROM rep.template_id
             OR rec.template_version IS DISTINCT FROM rep.template_version
             OR rec.language IS DISTINCT FROM rep.language
             OR rec.subject IS DISTINCT FROM rep.subject
             OR rec.body_text IS DISTINCT FROM rep.body_text
             OR rec.experiment IS DISTINCT FROM rep.experiment
             OR rec.arm IS DISTINCT FROM rep.arm AS differs
    FROM rec FULL OUTER JOIN rep USING (idempotency_key)
)
SELECT idempotency_key, attempt_id, purpose, step, channel, planned_for_date,
       CASE WHEN replay_made AND NOT recorded_made THEN 'added'
            WHEN recorded_made AND NOT replay_made THEN 'removed'
            ELSE 'differs' END AS change,
       recorded_status, replay_status, recorded_reason, replay_reason
FROM joined
WHERE replay_made <> recorded_made OR differs;
