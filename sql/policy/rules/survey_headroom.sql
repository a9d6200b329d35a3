-- survey_headroom: a survey goes only when it leaves room for at least one more contact after it
-- under the borrower's caps (borrower_policy: the strictest applicable profile, vulnerable
-- overlay): on the survey's channel over the rolling 7 days where the channel has such a cap
-- (sms_per_7_days), and of any channel on its day (contacts_per_day). Forbids a survey when the
-- headroom before it is below 2, where the headroom is the cap less the borrower's other contacts
-- counted the way sql/policy/decide.sql counts them (planned for the 8 local days ending on the
-- survey's day, planned or attempted) plus the other contacts judged for that day (gate_subjects;
-- a contact another rule forbids still counts: a survey held back needlessly, never a reminder).
-- Why: a survey is never worth a reminder or a collection step; its severity puts it last on its
-- own day, but a survey that fills a rolling 7-day cap pushes the NEXT day's reminder or ladder
-- step out. Audit: survey_headroom.
WITH surveyed AS (   -- the borrowers with a survey being judged: only their contacts are counted
    SELECT DISTINCT borrower_id FROM gate_subjects WHERE purpose = 'survey'
),
others AS (    -- the borrower's other contacts that count, each once (by key)
    SELECT DISTINCT g.idempotency_key AS survey, o.key, o.channel, o.planned_for_date
    FROM gate_subjects AS g
    JOIN (SELECT a.borrower_id, a.idempotency_key AS key, a.channel, a.planned_for_date
          FROM contact_attempts AS a
          WHERE (a.status IN ('planned', 'sent', 'delivered') OR a.sent_at IS NOT NULL)
            AND a.borrower_id IN (SELECT borrower_id FROM surveyed)
          UNION
          SELECT borrower_id, idempotency_key, channel, planned_for_date FROM gate_subjects
          WHERE purpose <> 'survey' AND borrower_id IN (SELECT borrower_id FROM surveyed)
         ) AS o
      ON o.borrower_id = g.borrower_id AND o.key <> g.idempotency_key
     AND o.planned_for_date BETWEEN g.planned_for_date - 7 AND g.planned_for_date
    WHERE g.purpose = 'survey'
),
used AS (
    SELECT o.survey,
           count(*) FILTER (WHERE o.channel = 'sms') AS sms_week,
           count(*) FILTER (WHERE o.planned_for_date = g.planned_for_date) AS all_day
    FROM others AS o JOIN gate_subjects AS g ON g.idempotency_key = o.survey
    GROUP BY o.survey
)
SELECT g.idempotency_key, 'survey_headroom' AS reason
FROM gate_subjects AS g
JOIN borrower_policy AS p USING (borrower_id)
LEFT JOIN used AS u ON u.survey = g.idempotency_key
WHERE g.purpose = 'survey'
  AND ((g.channel = 'sms' AND p.sms_per_7_days - coalesce(u.sms_week, 0) < 2)
       OR p.contacts_per_day - coalesce(u.all_day, 0) < 2)
