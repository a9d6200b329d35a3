-- The core-banking records of the day's broken and kept plans (arrangement_event_changes), one per
-- plan event: export_id arrangement_id || ':' || event, status pending (delivered by the export).
-- payload: the JSON record, byte for byte what is signed and sent: arrangement_id, event, loan_ids,
-- option_id, kind, months, freeze_interest, schedule [{no, due_date, amount}], occurred_on (the
-- borrower's local day). No name, phone or e-mail. Anti-joined on export_id. Returns nothing.
INSERT INTO arrangement_exports (export_id, arrangement_id, event, payload, created_at)
WITH sched AS (
    SELECT arrangement_id,
           list({'no': installment_no, 'due_date': strftime(due_date, '%Y-%m-%d'), 'amount': amount::VARCHAR}
                ORDER BY installment_no) AS schedule
    FROM arrangement_installments GROUP BY arrangement_id
),
ev AS (
    SELECT c.arrangement_id, replace(c.kind, 'arrangement_', '') AS event, c.occurred_at
    FROM arrangement_event_changes AS c
    WHERE c.kind IN ('arrangement_broken', 'arrangement_kept')
)
SELECT ev.arrangement_id || ':' || ev.event, ev.arrangement_id, ev.event,
       to_json({'arrangement_id': ev.arrangement_id, 'event': ev.event, 'loan_ids': s.loan_ids,
                'option_id': s.option_id, 'kind': s.kind, 'months': s.months,
                'freeze_interest': s.freeze_interest,
                'schedule': coalesce(sc.schedule, []),
                'occurred_on': strftime(timezone(s.timezone, ev.occurred_at)::DATE, '%Y-%m-%d')})::VARCHAR,
       $recorded_at
FROM ev
JOIN arrangement_state AS s USING (arrangement_id)
LEFT JOIN sched AS sc USING (arrangement_id)
WHERE NOT EXISTS (SELECT 1 FROM arrangement_exports AS x WHERE x.export_id = ev.arrangement_id || ':' || ev.event);
