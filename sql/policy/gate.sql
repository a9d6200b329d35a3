-- gate_verdicts: for each contact in gate_input (today's candidates, or planned rows about to be
-- sent), the first rule that forbids it as of $now, or no row if none does. This file is the one
-- place where opt-outs, cease-contact, disputes, pauses, holidays, cooldowns and "paid" are applied:
-- the planner calls it before recording a contact, dispatch calls it again just before sending.
-- Collection contact = escalation steps, and the broken-promise and forbearance follow-ups.
-- Forbearance: where the profile asks for it, ladder steps after the first wait until the
-- episode's forbearance offer has gone (or could never go: no recipient, opted out).
CREATE OR REPLACE TEMP TABLE gate_verdicts AS
WITH g AS (
    SELECT i.*,
           (i.purpose = 'escalation' OR i.step IN ('broken_promise', 'forbearance_offer')) AS is_collection,
           i.step IN (SELECT step FROM cfg_legal) AS legally_required,
           b.phone_e164, b.email,
           coalesce((SELECT max(rank) FROM cfg_steps AS st WHERE st.step = i.step AND st.purpose = 'escalation'), 0)
               AS ladder_rank,
           coalesce(p.profile, 'default') AS profile
    FROM gate_input AS i
    JOIN borrowers AS b USING (borrower_id)
    LEFT JOIN cfg_profiles AS p ON p.profile = b.jurisdiction
),
verdict AS (
    SELECT g.idempotency_key,
        CASE
            WHEN g.purpose = 'reminder' AND coalesce(inst.outstanding, 0) <= 0 THEN 'paid'
            WHEN g.is_collection AND NOT EXISTS (
                     SELECT 1 FROM installment_state AS s
                     WHERE s.loan_id = g.loan_id AND s.outstanding > 0 AND s.due_date < g.planned_for_date)
                THEN 'paid'
            WHEN g.step = 'hardship_offer' AND NOT EXISTS (
                     SELECT 1 FROM installment_state AS s WHERE s.loan_id = g.loan_id AND s.outstanding > 0)
                THEN 'paid'
            WHEN g.channel IN ('sms', 'call') AND g.phone_e164 IS NULL THEN 'no_recipient'
            WHEN g.channel = 'email' AND g.email IS NULL THEN 'no_recipient'
            WHEN list_contains(coalesce(bf.opted_out_channels, []), g.channel) AND NOT g.legally_required
                THEN 'opted_out_' || g.channel
            WHEN coalesce(bf.cease_active, false) AND g.step <> 'payment_confirmation' AND NOT g.legally_required
                THEN 'cease_contact'
            WHEN g.is_collection AND coalesce(lf.dispute_open, false) THEN 'paused_dispute'
            WHEN g.purpose = 'escalation'
                 AND g.planned_for_date <= lf.hardship_requested_on + $hardship_pause_days::INTEGER THEN 'paused_hardship'
            WHEN g.purpose = 'escalation' AND g.planned_for_date <= lf.promised_date + 1 THEN 'paused_promise'
            WHEN g.is_collection AND EXISTS (
                     SELECT 1 FROM cfg_holidays AS h WHERE h.profile = g.profile AND h.day = g.planned_for_date)
                THEN 'holiday'
            WHEN g.purpose = 'escalation' AND g.ladder_rank > 1 AND prof.forbearance AND NOT EXISTS (
                     SELECT 1 FROM contact_attempts AS f
                     WHERE f.episode_id = g.episode_id AND f.step = 'forbearance_offer'
                       AND f.planned_for_date < g.planned_for_date
                       AND (f.status IN ('sent', 'delivered') OR f.suppressed_reason = 'no_recipient'
                            OR f.suppressed_reason LIKE 'opted_out_%'))
                THEN 'awaiting_forbearance_offer'
            WHEN g.channel = 'call' AND g.planned_for_date <= bf.last_conversation_day + prof.call_cooldown_days::INTEGER
                THEN 'cap_call_cooldown'
        END AS reason
    FROM g
    JOIN cfg_profiles AS prof ON prof.profile = g.profile
    LEFT JOIN installment_state AS inst ON inst.loan_id = g.loan_id AND inst.installment_no = g.installment_no
    LEFT JOIN borrower_flags AS bf ON bf.borrower_id = g.borrower_id
    LEFT JOIN loan_flags AS lf ON lf.loan_id = g.loan_id
)
SELECT idempotency_key, reason FROM verdict WHERE reason IS NOT NULL;
