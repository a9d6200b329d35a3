-- recipients: where each borrower can be reached on each addressed channel: (borrower_id,
-- channel, address), sms and call -> borrowers.phone_e164, email -> borrowers.email. A borrower
-- without an address on a channel has no row for it. The one place that says which column a
-- channel sends to: the gate's no_recipient rule and dispatch (sql/delivery/due_batch.sql) read it,
-- so a contact point shared by borrowers (a later issue) changes this view only.
-- A TEMP view, created on every writing connection (ensure_schema): always this definition, and
-- opening a database never rewrites its file (a refused run must leave it byte for byte).
CREATE OR REPLACE TEMP VIEW recipients AS
SELECT borrower_id, 'sms' AS channel, phone_e164 AS address FROM borrowers WHERE phone_e164 IS NOT NULL
UNION ALL
SELECT borrower_id, 'call' AS channel, phone_e164 AS address FROM borrowers WHERE phone_e164 IS NOT NULL
UNION ALL
SELECT borrower_id, 'email' AS channel, email AS address FROM borrowers WHERE email IS NOT NULL;
