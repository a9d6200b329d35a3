-- Builds the call queue of local day $as_of: every call contact of that day still planned or
-- already released (sent), with the team, agent, slot, priority score, max_dials and dial_until
-- of its assignment (call_assignments, outcome 'assigned': loan_comms/calls/assign.py), ranked
-- per agent by slot (then attempt id). A call without an assignment (no roster in the config, or
-- a call planned before there was one) is in team 'unassigned', ranked there by severity (highest
-- first), then amount due (largest first), then the window opening. Returns the number of rows.
-- The amount is the attempt's amount_due, else the loan's outstanding total as of $as_of.
-- The window shown is the attempt's send_after-send_before: the effective window (the overlap of
-- every plausible zone's window, sql/policy/zones/contact_windows.sql) on the clock of the zone on file.
INSERT INTO call_queue (queue_date, attempt_id, borrower_id, loan_id, step, severity, amount_due, currency, team,
                        language, timezone, jurisdiction, call_from, call_until, local_window, queue_rank, status,
                        built_at, agent_id, slot_start, slot_end, priority_score, max_dials, dial_until)
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
           coalesce(a.team, 'unassigned') AS team,
           a.agent_id, a.slot_start, a.slot_end, a.priority_score, a.max_dials, a.dial_until
    FROM calls c
    LEFT JOIN outstanding o USING (loan_id)
    LEFT JOIN call_assignments a ON a.attempt_id = c.attempt_id AND a.outcome = 'assigned'
)
SELECT $as_of::DATE, attempt_id, borrower_id, loan_id, step, severity, amount, currency, team, language,
       timezone, jurisdiction, send_after, send_before,
       strftime(timezone(timezone, send_after), '%H:%M') || '-' ||
           strftime(timezone(timezone, send_before), '%H:%M') || ' ' || timezone,
       CASE WHEN agent_id IS NOT NULL
            THEN row_number() OVER (PARTITION BY team, agent_id ORDER BY slot_start, attempt_id)
            ELSE row_number() OVER (PARTITION BY team, agent_id ORDER BY severity DESC, amount DESC NULLS LAST,
                                                                         send_after, attempt_id) END::INTEGER,
       status, $built_at::TIMESTAMPTZ,
       agent_id, slot_start, slot_end, priority_score, max_dials, dial_until
FROM routed;
