-- gate_subjects: every contact in gate_input (today's candidates, or planned rows about to be sent)
-- with everything the gate rules in sql/policy/rules/ judge it by, as of $now: the step's config
-- (collection flag, legally required, ladder rank), the borrower's profile, a reminder's installment's
-- outstanding amount (gate_input's installment_outstanding: who fills gate_input knows it), and the borrower's and loan's flags (standing restrictions of issue 11
-- included: attorney, deceased, bankruptcy, complaint, breathing space, vulnerable, workplace,
-- contact preference), the channels of open review items (awaiting, overdue) and whether any item
-- of the borrower is open (review_open). The one relation
-- every rule reads.
-- Collection contact: the step's `collection` flag in the config (cfg_steps); a step the config no
-- longer names (a re-check after a config change) counts as collection when it is an escalation
-- or a follow-up, the same fallback as the audit's sql/audit/_contacts.sql.
-- A contact whose profile is missing from cfg_profiles (no 'default') is never forbidden.
-- The person's effective policy (borrower_policy: strictest applicable profile, vulnerable
-- overlay, preferences) gives forbearance, cooldown, the profiles whose holidays apply, and the
-- contact's window (contact_windows: the intersection over every plausible zone).
-- contact_point: the point the contact goes to: the one recorded on it (the re-check before send:
-- never re-resolved), else the borrower's rank-1 route on the channel (point_routes: a usable point
-- first); point_blocked: why that point may not be used now (point_routes.blocked), or
-- 'point_unusable' when the recorded point is no longer the borrower's. NULL for letters and visits.
CREATE OR REPLACE TEMP TABLE gate_subjects AS
SELECT i.idempotency_key, i.borrower_id, i.loan_id, i.installment_no, i.channel, i.purpose, i.step,
       i.episode_id, i.planned_for_date,
       coalesce((SELECT bool_or(st.collection) FROM cfg_steps AS st WHERE st.step = i.step),
                i.purpose IN ('escalation', 'follow_up')) AS is_collection,
       i.step IN (SELECT step FROM cfg_legal) AS legally_required,
       coalesce((SELECT max(rank) FROM cfg_steps AS st WHERE st.step = i.step AND st.purpose = 'escalation'), 0)
           AS ladder_rank,
       prof.profile, prof.forbearance AS profile_forbearance, bp.call_cooldown_days,
       coalesce(bp.profiles, [prof.profile]) AS profiles,
       coalesce(bp.calls_barred, false) AS calls_barred, coalesce(bp.avoid_channels, []) AS avoid_channels,
       w.send_after, w.send_before,
       i.installment_outstanding,
       coalesce(bf.opted_out_channels, []) AS opted_out_channels,
       coalesce(bf.awaiting_review_channels, []) AS awaiting_review_channels,
       coalesce(bf.review_overdue_channels, []) AS review_overdue_channels,
       coalesce(bf.review_open, false) AS review_open,
       coalesce(bf.cease_active, false) AS cease_active,
       bf.last_conversation_day,
       coalesce(bf.attorney_active, false) AS attorney_active,
       coalesce(bf.deceased, false) AS deceased,
       coalesce(bf.bankruptcy_active, false) AS bankruptcy_active,
       coalesce(bf.complaint_open, false) AS complaint_open,
       bf.breathing_space_until,
       coalesce(bf.vulnerable_active, false) AS vulnerable_active,
       coalesce(bf.workplace_prohibited, false) AS workplace_prohibited,
       bf.contact_preference,
       coalesce(lf.dispute_open, false) AS dispute_open,
       lf.hardship_requested_on,
       lf.promised_date AS promised_until,
       coalesce(i.contact_point, pr.point_id) AS contact_point,
       CASE WHEN i.contact_point IS NOT NULL AND pr.point_id IS NULL AND i.channel IN ('sms', 'call', 'email')
            THEN 'point_unusable' ELSE pr.blocked END AS point_blocked
FROM gate_input AS i
JOIN borrowers AS b USING (borrower_id)
LEFT JOIN cfg_profiles AS p ON p.profile = b.jurisdiction
JOIN cfg_profiles AS prof ON prof.profile = coalesce(p.profile, 'default')
JOIN borrower_policy AS bp ON bp.borrower_id = i.borrower_id
JOIN contact_windows AS w ON w.borrower_id = i.borrower_id AND w.day = i.planned_for_date
LEFT JOIN borrower_flags AS bf ON bf.borrower_id = i.borrower_id
LEFT JOIN loan_flags AS lf ON lf.loan_id = i.loan_id
LEFT JOIN point_routes AS pr
       ON pr.borrower_id = i.borrower_id AND pr.channel = i.channel
      AND (pr.point_id = i.contact_point OR (i.contact_point IS NULL AND pr.route_rank = 1));
