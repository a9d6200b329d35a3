-- Builds the call queue of local day $as_of: every call contact of that day still planned or
-- already released (sent), routed to a team by language and region of the borrower's timezone,
-- ranked within the team by severity (highest first), then amount due (largest first), then
-- the window opening. Returns the number of rows inserted.
-- The amount is the attempt's amount_due, else the loan's outstanding total as of $as_of.
-- The window shown is the attempt's send_after-send_before: the effective window (the overlap of
-- every plausible zone's window, sql/policy/zones/contact_windows.sql) on the clock of the zone on file.
INSERT INTO call_queue
WITH calls AS (
    SELECT ca.attempt_id, ca.borrower_id, ca.loan_id, ca.step, ca.priority AS severity,
           ca.status, ca.send_after, ca.send_before, ca.amount_due,
           b.language, b.timezone, b.jurisdiction, l.currency
    FROM contact_attempts ca
    JOIN borrowers b USING (borrower_id)
    LEFT JOIN loans l ON l.loan_id = ca.loan_id
    WHERE ca.planned_for_date = $as_of::DATE
      AND ca.channel = 'call'
      AND ca.status IN ('planned', 'sent')
), outstanding AS (
    SELECT i.loan_id, sum(i.amount_due - i.amount_paid) AS amount
    FROM installments i
    WHERE i.loan_id IN (SELECT loan_id FROM calls) AND i.due_date <= $as_of::DATE
    GROUP BY i.loan_id
), routed AS (
    SELECT c.*,
           coalesce(c.amount_due, o.amount) AS amount,
           coalesce(c.language, 'en') || '/' ||
           CASE split_part(c.timezone, '/', 1)
               WHEN 'Asia' THEN 'apac' WHEN 'Australia' THEN 'apac' WHEN 'Pacific' THEN 'apac'
               WHEN 'Europe' THEN 'emea' WHEN 'Africa' THEN 'emea'
               WHEN 'America' THEN 'americas'
               ELSE 'global' END AS team
    FROM calls c LEFT JOIN outstanding o USING (loan_id)
)
SELECT $as_of::DATE, attempt_id, borrower_id, loan_id, step, severity, amount, currency, team, language,
       timezone, jurisdiction, send_after, send_before,
       strftime(timezone(timezone, send_after), '%H:%M') || '-' ||
           strftime(timezone(timezone, send_before), '%H:%M') || ' ' || timezone,
       row_number() OVER (PARTITION BY team ORDER BY severity DESC, amount DESC NULLS LAST,
                          send_after, attempt_id)::INTEGER,
       status, $built_at::TIMESTAMPTZ
FROM routed;
