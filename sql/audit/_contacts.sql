-- audit_contacts: every contact that was actually attempted (sent_at is set: handed to a provider,
-- queued to the dialer, printed or scheduled for a visit), with what the rules need to judge it:
--   sent_local / sent_day  the wall-clock time and the calendar day in the BORROWER's timezone;
--   profile                the borrower's jurisdiction profile, 'default' (the strictest) when the
--                          borrower names a profile the config does not have;
--   is_collection          THE definition of "collection contact" used by every rule below:
--                          escalation (ladder) steps, and follow-ups EXCEPT the repayment-plan
--                          offer (hardship_offer, which the borrower asked for) and the thanks for
--                          a payment (payment_confirmation). Reminders and surveys are not collection.
--   legally_required       the step is listed in policy.legally_required_steps.
-- Reads the config tables audit_profiles and audit_legal_steps. Returns nothing.
CREATE OR REPLACE TEMP TABLE audit_contacts AS
SELECT a.attempt_id, a.idempotency_key, a.borrower_id, a.loan_id, a.installment_no, a.channel,
       a.purpose, a.step, a.episode_id, a.status, a.planned_for_date, a.send_after, a.send_before,
       a.sent_at, b.timezone,
       coalesce(p.profile, 'default') AS profile,
       timezone(b.timezone, a.sent_at) AS sent_local,
       timezone(b.timezone, a.sent_at)::DATE AS sent_day,
       (a.purpose = 'escalation'
        OR (a.purpose = 'follow_up' AND a.step NOT IN ('hardship_offer', 'payment_confirmation')))
           AS is_collection,
       a.step IN (SELECT step FROM audit_legal_steps) AS legally_required
FROM contact_attempts AS a
LEFT JOIN borrowers AS b USING (borrower_id)
LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
WHERE a.sent_at IS NOT NULL;
