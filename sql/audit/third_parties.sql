-- third_parties: Did we ever contact anyone but the borrower about a debt?
--   * the contact is about a loan that belongs to another borrower (or to no known loan/borrower);
--   * the message the outbox provider actually sent went to an address other than the borrower's
--     own: sms and call -> borrowers.phone_e164 or a phone of theirs in borrower_contact_points,
--     email -> borrowers.email or an e-mail of theirs there (trimmed, lower-cased), call also the
--     borrower's id as the dialer work item, letter and visit -> the borrower's id (work item);
--   * an outbox message that no contact attempt accounts for.
-- Recipients are shown masked (first 3 and last 2 characters): no phone numbers or e-mails here.
-- Checked: every attempted contact, plus any outbox message without its contact attempt.
-- Violation: as above.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH attempted AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at,
           l.borrower_id AS loan_owner, b.borrower_id IS NOT NULL AS borrower_known,
           o.recipient, b.phone_e164, b.email, o.attempt_id IS NOT NULL AS in_outbox,
           EXISTS (SELECT 1 FROM borrower_contact_points AS p
                   WHERE p.borrower_id = c.borrower_id
                     AND ((c.channel IN ('sms', 'call') AND p.kind = 'phone' AND p.address = o.recipient)
                       OR (c.channel = 'email' AND p.kind = 'email'
                           AND lower(trim(p.address)) = lower(trim(o.recipient))))) AS own_point
    FROM audit_contacts AS c
    LEFT JOIN loans AS l ON l.loan_id = c.loan_id
    LEFT JOIN borrowers AS b ON b.borrower_id = c.borrower_id
    LEFT JOIN outbox_messages AS o ON o.attempt_id = c.attempt_id
),
orphans AS (
    SELECT o.attempt_id, o.channel, o.accepted_at AS sent_at, o.recipient
    FROM outbox_messages AS o
    WHERE NOT EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.attempt_id = o.attempt_id)
)
SELECT t.attempt_id, t.borrower_id, t.loan_id, t.channel, t.step, t.sent_at, t.loan_owner, t.in_outbox,
       CASE WHEN t.recipient IS NULL THEN NULL
            ELSE left(t.recipient, 3) || repeat('*', greatest(length(t.recipient) - 5, 0)) || right(t.recipient, 2)
       END AS recipient_masked,
       CASE
           WHEN NOT t.borrower_known THEN 'contacted an unknown borrower'
           WHEN t.loan_owner IS NULL THEN 'contact about an unknown loan'
           WHEN t.loan_owner <> t.borrower_id THEN 'contact about a loan of another borrower (' || t.loan_owner || ')'
           WHEN t.in_outbox AND t.recipient IS NULL THEN 'outbox message without a recipient'
           WHEN t.in_outbox AND NOT (
                    t.own_point
                 OR (t.channel = 'sms' AND t.recipient = t.phone_e164)
                 OR (t.channel = 'email' AND lower(trim(t.recipient)) = lower(trim(t.email)))
                 OR (t.channel = 'call' AND t.recipient IN (t.phone_e164, t.borrower_id))
                 OR (t.channel IN ('letter', 'visit') AND t.recipient = t.borrower_id))
               THEN 'outbox ' || t.channel || ' went to a recipient that is not the borrower''s own'
       END AS violation
FROM attempted AS t
UNION ALL BY NAME
SELECT o.attempt_id, o.channel, o.sent_at, true AS in_outbox,
       left(o.recipient, 3) || repeat('*', greatest(length(o.recipient) - 5, 0)) || right(o.recipient, 2)
           AS recipient_masked,
       'outbox message that no contact attempt accounts for' AS violation
FROM orphans AS o;
