-- audit_contacts: every contact that was actually attempted (sent_at is set: handed to a provider,
-- queued to the dialer, printed or scheduled for a visit), with what the rules need to judge it:
--   sent_local / sent_day  the wall-clock time and the calendar day in the BORROWER's timezone;
--   profile                the borrower's jurisdiction profile, 'default' (the strictest) when the
--                          borrower names a profile the config does not have;
--   is_collection          THE definition of "collection contact" used by every rule below: the
--                          step's `collection` flag in the config (audit_steps; the gate reads the
--                          same flag): ladder steps, broken_promise and forbearance_offer by
--                          default, not reminders, hardship_offer or payment_confirmation. A step
--                          the config does not name counts when it is an escalation or a follow-up;
--                          surveys do not.
--   legally_required       the step is listed in policy.legally_required_steps.
--   point                  the contact point the contact went to: the address the outbox actually
--                          sent to, else the point recorded on the contact, else (contacts recorded
--                          before points were) the borrower's own phone (sms, call) or email. The
--                          id is written out here (kind || ':' || first 16 hex of sha256(kind ||
--                          ':' || address), emails trimmed and lower-cased), not the planner's macro.
--   dials                  call contacts: the dial attempts made, max(1, its call_outcome events;
--                          one per attempt, redials included); 1 for any other contact.
-- Reads the config tables audit_profiles, audit_steps and audit_legal_steps. Returns nothing.
CREATE OR REPLACE TEMP TABLE audit_contacts AS
SELECT a.attempt_id, a.idempotency_key, a.borrower_id, a.loan_id, a.installment_no, a.channel,
       a.purpose, a.step, a.episode_id, a.status, a.planned_for_date, a.send_after, a.send_before,
       a.sent_at, b.timezone,
       coalesce(p.profile, 'default') AS profile,
       timezone(b.timezone, a.sent_at) AS sent_local,
       timezone(b.timezone, a.sent_at)::DATE AS sent_day,
       coalesce((SELECT s.collection FROM audit_steps AS s WHERE s.step = a.step),
                a.purpose IN ('escalation', 'follow_up')) AS is_collection,
       a.step IN (SELECT step FROM audit_legal_steps) AS legally_required,
       CASE WHEN a.channel IN ('sms', 'call') THEN
                coalesce(CASE WHEN o.recipient LIKE '+%' THEN 'phone:' || substr(sha256('phone:' || o.recipient), 1, 16) END,
                         a.contact_point,
                         'phone:' || substr(sha256('phone:' || b.phone_e164), 1, 16))
            WHEN a.channel = 'email' THEN
                coalesce('email:' || substr(sha256('email:' || lower(trim(o.recipient))), 1, 16),
                         a.contact_point,
                         'email:' || substr(sha256('email:' || lower(trim(b.email))), 1, 16))
       END AS point,
       CASE WHEN a.channel = 'call' THEN greatest(1, coalesce(d.dials, 0)) ELSE 1 END AS dials
FROM contact_attempts AS a
LEFT JOIN borrowers AS b USING (borrower_id)
LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
LEFT JOIN (SELECT attempt_id, any_value(recipient) AS recipient FROM outbox_messages GROUP BY attempt_id) AS o
       USING (attempt_id)
LEFT JOIN (SELECT CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.attempt_id') END AS attempt_id, count(*) AS dials
           FROM borrower_events WHERE kind = 'call_outcome' GROUP BY ALL) AS d USING (attempt_id)
WHERE a.sent_at IS NOT NULL;
