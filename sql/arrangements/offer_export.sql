-- Returns what the plan page needs to show and judge each offer whose link may still be opened at
-- $now: token, language, currency, arrears, expires_at, expired (past its expiry: the page says so),
-- taken, and options (a list of {no, option_id, kind, months, payment, total, needs_review, schedule},
-- schedule the JSON text recorded with the offer; empty for an expired offer).
-- Only offers whose contact went out (sent or delivered: a suppressed or failed contact's link was
-- never seen), expired at most $keep_expired_days ago (an older link is simply unknown).
-- taken: a plan from this offer is active or waiting for review (a declined request leaves the offer
-- open for another choice, as land_choices has it), or a plan is live
-- on the offer's loan: a request waiting for review, or an accepted plan not yet broken or kept (its
-- events 'arr:<id>:broken' / 'arr:<id>:kept' say so; common brief's external_id contract).
-- No borrower, loan id, name, number or address: the export is safe to copy to the web host.
WITH sent_offers AS (
    SELECT o.*
    FROM arrangement_offers AS o
    JOIN contact_attempts AS c ON c.attempt_id = o.attempt_id
    WHERE c.status IN ('sent', 'delivered')
      AND o.expires_at >= $now - to_days(CAST($keep_expired_days AS INTEGER))
),
live AS (
    SELECT DISTINCT l.loan_id
    FROM arrangements AS a
    JOIN arrangement_loans AS l USING (arrangement_id)
    WHERE a.status = 'pending_review'
       OR (a.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                           WHERE e.external_id IN ('arr:' || a.arrangement_id || ':broken',
                                                   'arr:' || a.arrangement_id || ':kept')))
)
SELECT o.token, o.language, o.currency, o.arrears, o.expires_at,
       o.expires_at < $now AS expired,
       (EXISTS (SELECT 1 FROM arrangements AS a WHERE a.offer_token = o.token
                     AND a.status IN ('active', 'pending_review'))
        OR o.loan_id IN (SELECT loan_id FROM live)) AS taken,
       coalesce((SELECT list({'no': x.option_no, 'option_id': x.option_id, 'kind': x.kind, 'months': x.months,
                              'payment': x.payment, 'total': x.total, 'needs_review': x.needs_review,
                              'schedule': x.schedule} ORDER BY x.option_no)
                 FROM arrangement_offer_options AS x
                 WHERE x.token = o.token AND o.expires_at >= $now), []) AS options
FROM sent_offers AS o
ORDER BY o.token;
