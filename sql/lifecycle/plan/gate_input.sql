-- gate_input for planning: today's candidates, each judged as a contact of $as_of. No contact point
-- yet, except a follow-up that must go to one point (reply_follow_ups: an opt-out's confirmation,
-- to the number it came from); for the rest the gate picks the borrower's usable point on the
-- channel (gate_subjects, point_routes).
-- installment_outstanding: what is still owed on a reminder's installment as of $now, which the gate's
-- paid rule reads: a reminder candidate's amount_due is exactly that (reminder_candidates.sql and
-- lost_reminder_candidates.sql take it from installment_state), so the gate needs no lookup of its
-- own in every installment of the book. NULL for the other purposes (no rule reads it there).
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT c.*, $as_of::DATE AS planned_for_date, r.contact_point,
       CASE WHEN c.purpose = 'reminder' THEN c.amount_due END AS installment_outstanding
FROM candidates AS c
LEFT JOIN reply_follow_ups AS r USING (idempotency_key);
