-- Writes the quarantined lines of this import to import_quarantine. Returns the number of new rows:
-- a line already quarantined from the same file with the same reason and values is not written again,
-- so re-importing a file adds nothing.
INSERT INTO import_quarantine (source_file, source_line, entity, record_id, reason, raw, quarantined_at)
SELECT $source_file, r.line, r.entity, r.record_id, r.reason, r.raw, $now
FROM (
    SELECT r.line, r.entity, r.record_id, r.reason,
           -- the values exactly as the file had them (JSON), to fix and re-send
           json_object('borrower_id', s.borrower_id, 'full_name', s.full_name, 'first_name', s.first_name,
                       'phone_e164', s.phone_e164, 'email', s.email, 'language', s.language,
                       'timezone', s.timezone, 'jurisdiction', s.jurisdiction, 'segment', s.segment,
                       'loan_id', s.loan_id, 'product', s.product, 'principal', s.principal,
                       'currency', s.currency, 'opened_on', s.opened_on, 'installment_no', s.installment_no,
                       'due_date', s.due_date, 'amount_due', s.amount_due, 'amount_paid', s.amount_paid,
                       'paid_at', s.paid_at)::VARCHAR AS raw
    FROM import_quarantined AS r JOIN import_stage AS s USING (line)
) AS r
WHERE true
  AND NOT EXISTS (
      SELECT 1 FROM import_quarantine AS q
      WHERE q.source_file = $source_file AND q.source_line = r.line
        AND q.reason = r.reason AND q.raw IS NOT DISTINCT FROM r.raw
  );
