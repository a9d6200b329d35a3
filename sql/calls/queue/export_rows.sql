-- The calls of plan day $as_of for team leads (the per-team CSV/Parquet exports, the printed list,
-- the table artifacts): every call_assignments row of the day with its agent, slot (UTC and on the
-- borrower's clock), calling order, the dials it allows and until when, its priority and reasons,
-- and for a carried call why; the contact's status now (a call the re-check suppressed after the
-- plan says so). The number is MASKED (+86****78: left 3, right 2, as day_rows.sql), from the
-- call's contact point (recipients view; the primary phone for calls recorded before points were).
-- No name, no unmasked number. Assigned calls first, in slot order, then the carried ones by score.
SELECT ca.team, ca.outcome, ca.agent_id, ca.queue_rank AS rank,
       ca.slot_start, ca.slot_end, ca.dial_until, ca.max_dials,
       CASE WHEN ca.slot_start IS NULL THEN NULL
            ELSE strftime(timezone(b.timezone, ca.slot_start), '%H:%M') || ' ' || b.timezone END AS local_slot,
       ca.step, round(ca.priority_score, 2) AS priority_score, ca.priority_reasons, ca.required_skills,
       ca.carried_days, ca.reason AS carried_reason, ca.attempt_id, ca.loan_id,
       coalesce(a.language, b.language) AS language,
       CASE WHEN r.address IS NULL OR length(r.address) < 6 THEN '-'
            ELSE left(r.address, 3) || '****' || right(r.address, 2) END AS phone_masked,
       a.status
FROM call_assignments ca
LEFT JOIN contact_attempts a ON a.attempt_id = ca.attempt_id
LEFT JOIN borrowers b ON b.borrower_id = ca.borrower_id
LEFT JOIN recipients r
       ON r.borrower_id = ca.borrower_id AND r.channel = 'call'
      AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
WHERE ca.plan_date = $as_of::DATE
ORDER BY ca.team, ca.outcome, ca.slot_start NULLS LAST, ca.agent_id, ca.queue_rank,
         ca.priority_score DESC, ca.attempt_id;
