-- paused_complaint: the borrower has an open complaint (complaint, not complaint_resolved since).
-- Collection calls and visits (the intrusive channels) pause on every loan while it is
-- investigated; written contacts (letter, e-mail, SMS) and reminders still go, so the person
-- keeps being told what they owe and their rights.
-- Why: FCA DISP 1.3 / CONC 7.9.4: no pressure, and no contact the person complained of while the
-- complaint is handled. Audit: complaint_pause.
SELECT g.idempotency_key, 'paused_complaint' AS reason
FROM gate_subjects AS g
WHERE g.complaint_open AND g.is_collection AND g.channel IN ('call', 'visit');
