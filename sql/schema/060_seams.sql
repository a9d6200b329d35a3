-- Columns for the person, the phone and the place (issue 11). Idempotent.
--   borrower_events.scope          'borrower' (every loan of the borrower) or 'loan' (only loan_id):
--                                  set when the event is recorded, from the kinds catalog
--                                  (loan_comms/policy/kinds.py). NULL on older rows: read by kind.
--   borrower_events.contact_point  the contact point the event is about (point_id(kind, address)):
--                                  the number a STOP came from, the number the dialer found wrong.
--   contact_attempts.contact_point the contact point a contact was planned to and is sent to
--                                  (NULL for letters and visits, which go to a postal address).
ALTER TABLE borrower_events ADD COLUMN IF NOT EXISTS scope VARCHAR;
ALTER TABLE borrower_events ADD COLUMN IF NOT EXISTS contact_point VARCHAR;
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS contact_point VARCHAR;
