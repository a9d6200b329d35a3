-- The core-banking records of the plan events recorded at $recorded_at (the writer's transaction:
-- land_choices and approve record arrangement_accepted, the day's plan arrangement_broken and
-- arrangement_kept), one per plan event: export_id arrangement_id || ':' || event, status pending
-- (delivered by the export pass). The ONE place a record's payload is built, so every event has the
-- same keys (docs/arrangements-export.md; export_files.PAYLOAD_KEYS):
--   export_id, arrangement_id, event ('accepted' | 'broken' | 'kept'), occurred_on (the event's local
--   day for the borrower), loan_ids (the covered loans, the plan's first loan first), loans
--   [{arrears, loan_id}] (each covered loan's arrears when the plan was chosen), option_id, kind,
--   months, freeze_interest, currency, starts_on, ends_on, schedule [{amount, due_date, no}] (empty
--   for a holiday), total (sum of the schedule), decided_at (UTC), decided_by ('rules' or the reviewer).
-- Ids, amounts (exact text, 2 decimals) and dates only: no borrower id, name, phone or e-mail. Keys
-- in alphabetical order, compact: the payload is byte for byte what is filed, signed and sent.
-- Anti-joined on export_id: a re-run queues nothing new. Returns nothing.
INSERT INTO arrangement_exports (export_id, arrangement_id, event, payload, created_at)
WITH ev AS (
    SELECT json_extract_string(e.detail, '$.arrangement_id') AS arrangement_id,
           replace(e.kind, 'arrangement_', '') AS event, min(e.occurred_at) AS occurred_at
    FROM borrower_events AS e
    WHERE e.kind IN ('arrangement_accepted', 'arrangement_broken', 'arrangement_kept')
      AND e.recorded_at = $recorded_at
    GROUP BY ALL
),
covered AS (
    SELECT l.arrangement_id,
           list(l.loan_id ORDER BY (l.loan_id <> a.loan_id), l.loan_id) AS loan_ids,
           list({'arrears': l.arrears::VARCHAR, 'loan_id': l.loan_id}
                ORDER BY (l.loan_id <> a.loan_id), l.loan_id) AS loans
    FROM arrangement_loans AS l
    JOIN arrangements AS a USING (arrangement_id)
    WHERE l.arrangement_id IN (SELECT arrangement_id FROM ev)
    GROUP BY l.arrangement_id
),
sched AS (
    SELECT arrangement_id,
           list({'amount': amount::VARCHAR, 'due_date': strftime(due_date, '%Y-%m-%d'), 'no': installment_no}
                ORDER BY installment_no) AS schedule,
           sum(amount) AS total
    FROM arrangement_installments
    WHERE arrangement_id IN (SELECT arrangement_id FROM ev)
    GROUP BY arrangement_id
)
SELECT ev.arrangement_id || ':' || ev.event, ev.arrangement_id, ev.event,
       to_json({'arrangement_id': a.arrangement_id,
                'currency': a.currency,
                'decided_at': strftime(timezone('UTC', a.decided_at), '%Y-%m-%dT%H:%M:%SZ'),
                'decided_by': a.decided_by,
                'ends_on': strftime(a.ends_on, '%Y-%m-%d'),
                'event': ev.event,
                'export_id': ev.arrangement_id || ':' || ev.event,
                'freeze_interest': a.freeze_interest,
                'kind': a.kind,
                'loan_ids': coalesce(c.loan_ids, [a.loan_id]),
                'loans': coalesce(c.loans, []),
                'months': a.months,
                'occurred_on': strftime(timezone(b.timezone, ev.occurred_at)::DATE, '%Y-%m-%d'),
                'option_id': a.option_id,
                'schedule': coalesce(sc.schedule, []),
                'starts_on': strftime(a.starts_on, '%Y-%m-%d'),
                'total': coalesce(sc.total, 0::DECIMAL(18, 2))::VARCHAR})::VARCHAR,
       $recorded_at
FROM ev
JOIN arrangements AS a USING (arrangement_id)
JOIN borrowers AS b ON b.borrower_id = a.borrower_id
LEFT JOIN covered AS c USING (arrangement_id)
LEFT JOIN sched AS sc USING (arrangement_id)
WHERE a.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM arrangement_exports AS x WHERE x.export_id = ev.arrangement_id || ':' || ev.event);
