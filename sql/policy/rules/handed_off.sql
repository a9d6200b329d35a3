-- handed_off: the loan was handed to the legal or agency partner (handoff_state, sql/handoff/state.sql:
-- its hand-off step went, not recalled since). Nothing more about that loan goes, whatever the
-- purpose (ladder, follow-ups, reminders of its later installments, surveys, a plan's contacts),
-- except what the borrower must still get or asked for: the thanks for a payment
-- (payment_confirmation), the confirmation of an opt-out (opt_out_confirmation), steps listed in
-- policy.legally_required_steps, and the hand-off step's own contacts of that day (its other channels).
-- Contacts about the borrower's OTHER loans are not touched.
-- Why: the partner now speaks for the lender about this loan; two voices chasing one debt is the
-- harassment the issue is about (Reg F 1006.14, FCA CONC 7.9). Audit: handed_off_no_contact.
SELECT g.idempotency_key, 'handed_off' AS reason
FROM gate_subjects AS g
WHERE g.loan_id IN (SELECT loan_id FROM handoff_state)
  AND g.step NOT IN ('payment_confirmation', 'opt_out_confirmation')
  AND NOT g.legally_required
  AND g.step NOT IN (SELECT step FROM cfg_handoff);
