-- Columns for the event kinds of issue 11 (engineer C). Idempotent.
--   contact_attempts.addressed_to  who a letter is addressed to: NULL for the borrower, 'attorney'
--                                  when the borrower is represented (attorney_representation and
--                                  no attorney_withdrawn since): Reg F 1006.6(b)(2), the letter goes
--                                  to the attorney through the print work item. Set when the letter
--                                  is recorded and again by the re-check before it is sent; the audit
--                                  rule attorney_only checks it.
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS addressed_to VARCHAR;
