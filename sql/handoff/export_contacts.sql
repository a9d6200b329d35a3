-- The FULL contact history of each case (handoff_export_due): every contact ever considered about the
-- loan, sent or suppressed, plus the borrower's borrower-wide contacts recorded on another loan
-- (surveys, opt-out confirmations, callbacks: about the person, not one debt), each with channel,
-- step, status, suppressed_reason, the rule and policy version that decided it, the template and its
-- version (the wording, without the body), the contact point id (a hash, never the address) and
-- when it was planned, sent and delivered. Oldest first.
SELECT d.case_id, a.attempt_id, a.loan_id, a.installment_no, a.channel, a.purpose, a.step, a.episode_id,
       a.status, a.suppressed_reason, a.decided_by_rule, a.policy_version, a.template_id, a.template_version,
       a.language, a.contact_point, a.planned_for_date, a.send_after, a.send_before, a.sent_at, a.delivered_at,
       a.loan_id = d.loan_id AS about_this_loan
FROM handoff_export_due AS d
JOIN contact_attempts AS a
  ON a.borrower_id = d.borrower_id
 AND (a.loan_id = d.loan_id OR a.purpose = 'survey' OR a.step IN ('opt_out_confirmation', 'callback'))
ORDER BY d.case_id, a.planned_for_date, coalesce(a.sent_at, a.send_after), a.attempt_id;
