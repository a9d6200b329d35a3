-- paid_means_stop: Once money owed was paid, did we still chase it?
--   * a reminder about an installment that was already fully paid when the reminder went out
--     (installments.paid_at, the moment amount_paid first reached amount_due, before sent_at);
--   * a collection contact (see audit_contacts.is_collection) about a loan that, when it went out,
--     had no overdue unpaid installment: none due before the borrower's local day of sent_at and
--     still unpaid at sent_at. Partial payments leave an installment unpaid (paid_at stays empty).
-- Checked: every attempted reminder and collection contact.
-- Violation: as above; also a reminder that names no known installment.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH checked AS (
    SELECT c.* FROM audit_contacts AS c WHERE c.purpose = 'reminder' OR c.is_collection
),
overdue_at_send AS (
    SELECT k.attempt_id, count(i.installment_no) AS overdue_unpaid, min(i.due_date) AS oldest_overdue_due
    FROM checked AS k
    JOIN installments AS i
      ON i.loan_id = k.loan_id AND i.due_date < k.sent_day
     AND (i.paid_at IS NULL OR i.paid_at >= k.sent_at)
    WHERE k.is_collection
    GROUP BY k.attempt_id
)
SELECT k.attempt_id, k.borrower_id, k.loan_id, k.installment_no, k.channel, k.purpose, k.step,
       k.sent_at, k.sent_day, ri.paid_at AS installment_paid_at,
       coalesce(o.overdue_unpaid, 0) AS overdue_unpaid_installments, o.oldest_overdue_due,
       CASE
           WHEN k.purpose = 'reminder' AND ri.loan_id IS NULL
               THEN 'reminder names no known installment of the loan'
           WHEN k.purpose = 'reminder' AND ri.paid_at < k.sent_at
               THEN 'reminder for installment ' || k.installment_no || ' already paid at '
                    || strftime(ri.paid_at, '%Y-%m-%d %H:%M') || ' UTC'
           WHEN k.is_collection AND o.attempt_id IS NULL
               THEN 'collection contact for a loan with nothing overdue and unpaid on local day ' || k.sent_day
       END AS violation
FROM checked AS k
LEFT JOIN installments AS ri
       ON k.purpose = 'reminder' AND ri.loan_id = k.loan_id AND ri.installment_no = k.installment_no
LEFT JOIN overdue_at_send AS o ON o.attempt_id = k.attempt_id;
