-- Macros for expressions several plan questions share, so each is written once.
--   contact_key(borrower_id, loan_id, step, channel, day) returns the contact's idempotency key,
--     'borrower|loan|step|channel|YYYY-MM-DD' (UNIQUE in contact_attempts: a re-run proposes the
--     same keys and records nothing new).
--   step_taken(status, suppressed_reason) returns true when a contact counts as its step taken:
--     it was planned or sent, or it could never be made while a standing restriction holds (no
--     recipient, no usable contact point, channel opted out or a review item past its deadline
--     (review_overdue: the opt-out it may have been), cease-contact, attorney, deceased, bankruptcy, breathing
--     space, a channel the borrower asked us not to use or barred while vulnerable, no common
--     window, a visit whose notice can never go, a call no agent of the roster can take: no_agent,
--     a visit no pair of field agents could ever make: no_field_pair, no city on file or no pair
--     covering it); a contact the policy only held back (cap, pause, holiday, missed window) does not
--     count, so the step is tried again the next day. Why the standing ones count: otherwise the
--     ladder waits forever on a step that cannot go and never reaches a later legally required
--     notice (issue 11 case 7, Reg F 1006.6(c)(2)). The audit's ladder_order accepts any decided
--     step (suppressed included) as the previous one, so it agrees.
--   point_id(kind, address) returns the id of a contact point: kind 'phone' (address in E.164) or
--     'email' (address trimmed and lower-cased), hashed so logs and contact_attempts never hold
--     the address itself. The same address is the same point whoever it belongs to.
--   call_conversation(outcome) is true when a dialer outcome (call_outcome detail.outcome) means the
--     borrower was spoken to about the debt: reached, promise_to_pay, hardship_request, dispute,
--     refused, callback_requested. Such a dial starts the call cooldown (Reg F 1006.14(b)(2)(i)(B))
--     and counts for reached_calls_per_day; no_answer, busy, voicemail and wrong_number are dials
--     only (they count as call attempts, nothing else). THE one list: the gate and caps
--     (sql/lifecycle/state/borrower_flags.sql -> cap_call_cooldown), the simulator and the audit
--     rules (call_cooldown_after_conversation, dial_times, reached_calls_per_day) all read it.
--   contact_intensity(day) is the simulator's (loan_comms/simulation/response.py): per borrower,
--     contacts_7d, the non-survey contacts made in the 7 local days ending `day` (planned_for_date,
--     sent_at set, status sent or delivered: a message that went, a call dialled even if missed, a
--     letter, a visit), and contacts_today, those of `day`. Read from the log alone, so every draw of
--     a simulated day sees the same count whichever files have landed before it.
--   curve_at(curve, n) is a response curve's multiplier at n contacts (index 1 = one contact; below
--     1 counts as 1, past the end the last value holds).
-- TEMP macros live in the connection, not the database file: db.connect defines them on every
-- connection, read-only ones included (the schema files only run on writable ones). Idempotent.
-- The audit (sql/audit/) deliberately does not use them: it is written independently of the planner;
-- the one exception is call_conversation, which is vocabulary (what the dialer's words mean), not a
-- decision: a second list in the audit could only drift from the first.
CREATE OR REPLACE TEMP MACRO contact_key(borrower_id, loan_id, step, channel, day) AS
    borrower_id || '|' || loan_id || '|' || step || '|' || channel || '|' || strftime(day, '%Y-%m-%d');

CREATE OR REPLACE TEMP MACRO step_taken(status, suppressed_reason) AS
    (status <> 'suppressed' OR suppressed_reason LIKE 'opted_out_%'
     OR suppressed_reason IN ('no_recipient', 'point_unusable', 'place_avoided', 'review_overdue', 'cease_contact', 'attorney_represented', 'deceased', 'bankruptcy',
                              'breathing_space', 'preference_channel', 'vulnerable_no_calls', 'no_common_window',
                              'visit_unannounced', 'no_agent', 'no_field_pair'));

CREATE OR REPLACE TEMP MACRO point_id(kind, address) AS
    CASE WHEN address IS NOT NULL THEN kind || ':' || substr(sha256(kind || ':' || address), 1, 16) END;

CREATE OR REPLACE TEMP MACRO call_conversation(outcome) AS
    coalesce(outcome IN ('reached', 'promise_to_pay', 'hardship_request', 'dispute', 'refused', 'callback_requested'),
             false);

CREATE OR REPLACE TEMP MACRO contact_intensity(day) AS TABLE
    SELECT borrower_id, count(*) AS contacts_7d, count(*) FILTER (WHERE planned_for_date = day) AS contacts_today
    FROM contact_attempts
    WHERE planned_for_date BETWEEN day - 6 AND day AND purpose <> 'survey'
      AND sent_at IS NOT NULL AND status IN ('sent', 'delivered')
    GROUP BY borrower_id;

CREATE OR REPLACE TEMP MACRO curve_at(curve, n) AS
    curve[least(greatest(coalesce(n, 1), 1), len(curve))::BIGINT];
