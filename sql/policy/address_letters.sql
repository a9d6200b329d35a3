-- Addresses the planned letters the re-check judged (gate_subjects) to the attorney when the
-- borrower is represented as of $now (borrower_flags.attorney_active), and back to the borrower
-- when the representation was withdrawn: the print work item reads contact_attempts.addressed_to.
-- Why: Reg F 1006.6(b)(2): a represented consumer's letters go to the attorney; the
-- attorney_represented gate rule lets letters through on that condition. Audit: attorney_only.
-- Returns nothing.
UPDATE contact_attempts AS a
SET addressed_to = CASE WHEN g.attorney_active THEN 'attorney' ELSE NULL END,
    updated_at = $now
FROM gate_subjects AS g
WHERE a.idempotency_key = g.idempotency_key AND a.status = 'planned' AND a.channel = 'letter'
  AND a.addressed_to IS DISTINCT FROM CASE WHEN g.attorney_active THEN 'attorney' ELSE NULL END;
