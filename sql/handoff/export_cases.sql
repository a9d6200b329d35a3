-- One row per case to export (handoff_export_due), in case_id order: the borrower as the partner must
-- reach them (name, phone, e-mail, language, timezone, jurisdiction, segment), the loan, the
-- delinquency episode the hand-off happened in (the latest opened on or before the hand-off day in
-- the borrower's zone), the hand-off contact (its channel, status, template version) and the totals
-- as the installments stand now (outstanding, overdue: fell due before today in UTC, oldest unpaid due date).
-- The only query whose answer holds personal data; it goes only into the case file (mode 0600).
SELECT d.case_id, d.loan_id, d.borrower_id, d.partner, d.step, d.attempt_id, d.handed_off_at,
       b.full_name, b.first_name, b.phone_e164, b.email, b.language, b.timezone, b.jurisdiction, b.segment,
       l.product, l.principal, l.currency, l.opened_on AS loan_opened_on,
       e.episode_id, e.opened_on AS episode_opened_on, e.closed_on AS episode_closed_on,
       a.channel AS handoff_channel, a.status AS handoff_status, a.suppressed_reason AS handoff_suppressed_reason,
       a.template_version AS handoff_template_version, a.policy_version AS handoff_policy_version,
       (SELECT sum(i.amount_due - least(i.amount_paid, i.amount_due)) FROM installments AS i
        WHERE i.loan_id = d.loan_id) AS outstanding,
       (SELECT sum(i.amount_due - least(i.amount_paid, i.amount_due)) FROM installments AS i
        WHERE i.loan_id = d.loan_id AND i.due_date < $cutoff::DATE) AS overdue,
       (SELECT min(i.due_date) FROM installments AS i
        WHERE i.loan_id = d.loan_id AND i.amount_paid < i.amount_due) AS oldest_unpaid_due
FROM handoff_export_due AS d
JOIN borrowers AS b USING (borrower_id)
JOIN loans AS l USING (loan_id)
LEFT JOIN contact_attempts AS a ON a.attempt_id = d.attempt_id
LEFT JOIN LATERAL (
    SELECT x.episode_id, x.opened_on, x.closed_on FROM delinquency_episodes AS x
    WHERE x.loan_id = d.loan_id AND x.opened_on <= timezone(b.timezone, d.handed_off_at)::DATE
    ORDER BY x.opened_on DESC LIMIT 1
) AS e ON true
ORDER BY d.case_id;
