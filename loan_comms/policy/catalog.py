"""The policy as a catalog: the gate's rules in precedence order, and every suppression reason.

GATE_RULES orders sql/policy/rules/<name>.sql the way the audit's RULES orders sql/audit/: a
contact's verdict is the first rule in this list that forbids it. Adding a rule is adding a file
and a line here. REASONS maps every reason a contact can be suppressed with to the file that
decides it, the audit rule that checks it was kept, and the tests that make it fire;
tests/policy/test_reasons.py holds the catalog to the repository, and docs/policy.md shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

GATE_RULES: tuple[str, ...] = (
    "paid",
    "deceased",
    "no_recipient",
    "point_unusable",
    "place_avoided",
    "opted_out",
    "review_overdue",
    "bankruptcy",
    "breathing_space",
    "attorney_represented",
    "cease_contact",
    "handed_off",
    "arrangement_active",
    "awaiting_reoffer",
    "plan_payment_covered",
    "paused_complaint",
    "paused_dispute",
    "paused_hardship",
    "paused_promise",
    "survey_complaint",
    "survey_dispute",
    "survey_fatigue",
    "survey_headroom",
    "awaiting_review",
    "holiday",
    "visit_not_working_day",
    "no_field_pair",
    "visit_unannounced",
    "awaiting_visit_notice",
    "awaiting_forbearance_offer",
    "cap_call_cooldown",
    "preference_channel",
    "vulnerable_no_calls",
    "no_common_window",
)


@dataclass(frozen=True)
class Reason:
    """One suppression reason: what decides it, what checks it afterwards, and what makes it fire.

    rule: the SQL file (under sql/) that writes the reason; audit: the audit rule (sql/audit/<audit>.sql)
    that would catch a contact that should have had it; tests: "path::test_name" of tests whose
    scenario makes it fire (each names the reason); also_audited_by: further audit rules checking
    other contacts the reason holds (a reason holding several kinds of contact, e.g. arrangement_active).
    """

    reason: str
    rule: str
    audit: str
    tests: tuple[str, ...]
    why: str
    also_audited_by: tuple[str, ...] = ()


_RULES = "tests/policy/test_rules.py"
_REASONS = "tests/policy/test_reasons.py"
_PLAN = "tests/lifecycle/test_plan_day.py"
_KINDS = "tests/policy/test_kind_rules.py"
_ZONES = "tests/policy/test_zones.py"
_VISITS = "tests/policy/test_visits.py"
_RECHECK = "tests/policy/test_recheck_changes.py"
_REVIEWS = "tests/policy/test_replies_policy.py"
_SURVEYS = "tests/surveys/test_survey_policy.py"
_PLANS = "tests/arrangements/test_lifecycle.py"
_COVERED = "tests/arrangements/test_plan_contacts.py"
_ASSIGN = "tests/calls/test_assignment.py"


def _gate(reason: str, rule: str, audit: str, tests: tuple[str, ...], why: str,
          also_audited_by: tuple[str, ...] = ()) -> Reason:
    return Reason(reason, f"policy/rules/{rule}.sql", audit, tests, why, also_audited_by)


def _cap(reason: str, audit: str, tests: tuple[str, ...], why: str) -> Reason:
    """A cap: decided at plan time by decide.sql, and again at send time against the person's limits
    then (sql/policy/recheck/caps.sql, same reasons, same audit rule)."""
    return Reason(reason, "policy/decide.sql", audit, tests, why)


REASONS: tuple[Reason, ...] = (
    _gate("paid", "paid", "paid_means_stop",
          (f"{_PLAN}::test_paid_loans_get_nothing", f"{_PLAN}::test_payment_after_plan_cancels_the_unsent_reminder"),
          "nothing the contact could be about is owed"),
    _gate("no_recipient", "no_recipient", "third_parties",
          (f"{_PLAN}::test_every_decision_names_the_policy_and_the_policy_is_kept",),
          "no address on the channel (recipients view)"),
    _gate("point_unusable", "point_unusable", "wrong_number_honoured",
          ("tests/policy/test_contact_points.py::test_wrong_number_stops_calls_and_sms_to_that_number_letters_go_on",
           "tests/policy/test_contact_points.py::test_reassigned_number_stops_every_borrower_holding_it"),
          "the point is a wrong or reassigned number (not re-verified) and no other point is usable"),
    _gate("place_avoided", "place_avoided", "places_avoided",
          ("tests/policy/test_contact_points.py::test_workplace_prohibited_leaves_the_work_phone_alone",),
          "the only usable point is at a place the borrower asked us not to use (workplace, preference)"),
    _gate("opted_out_sms", "opted_out", "opt_out_honoured",
          (f"{_RULES}::test_stop_stops_sms_but_not_email",
           f"{_RULES}::test_stop_received_after_the_plan_stops_the_pending_sms",
           "tests/policy/test_contact_points.py::test_shared_phone_gets_one_borrowers_caps_and_a_stop_from_it_stops_both"),
          "the borrower closed the channel (STOP), or a STOP came from the number itself"),
    _gate("opted_out_email", "opted_out", "opt_out_honoured",
          ("tests/inbound/test_ingest_events.py::test_email_unsubscribe_from_the_provider_stops_email_but_not_sms",),
          "the borrower closed the channel (unsubscribe, spam report)"),
    _gate("opted_out_call", "opted_out", "opt_out_honoured", (f"{_REASONS}::test_reason_fires",),
          "the borrower closed the channel"),
    _gate("review_overdue", "review_overdue", "reply_opt_outs_honoured",
          (f"{_REVIEWS}::test_review_overdue_stops_every_contact_on_the_channel_to_the_borrower_and_the_point",
           f"{_REVIEWS}::test_review_overdue_found_at_send_time_stops_the_planned_reminder"),
          "a review item on the channel is past its deadline unresolved: treated as the opt-out it may have "
          "been, for the borrower and for the point the reply came from"),
    _gate("awaiting_review", "awaiting_review", "reply_opt_outs_honoured",
          (f"{_REVIEWS}::test_awaiting_review_pauses_collection_on_its_channel_only",
           f"{_SURVEYS}::test_no_survey_while_a_review_item_of_the_borrower_is_open_awaiting_review"),
          "a reply from the borrower on the channel waits in the review queue: collection on it pauses; "
          "no survey while any item of the borrower is open (audit: survey_restrictions)"),
    _gate("cease_contact", "cease_contact", "cease_contact_honoured",
          (f"{_RULES}::test_cease_contact_stops_collection_and_dispute_pauses_only_that_loan",),
          "the borrower asked us to stop"),
    _gate("deceased", "deceased", "deceased_no_contact", (f"{_KINDS}::test_standing_restriction_suppresses",),
          "the borrower has died: nothing goes, on any loan"),
    _gate("bankruptcy", "bankruptcy", "bankruptcy_honoured", (f"{_KINDS}::test_standing_restriction_suppresses",),
          "collection stops in bankruptcy; only required notices go"),
    _gate("breathing_space", "breathing_space", "breathing_space_honoured",
          (f"{_KINDS}::test_standing_restriction_suppresses", f"{_KINDS}::test_breathing_space_ends_on_its_date"),
          "UK breathing space until its end date; only required notices go"),
    _gate("attorney_represented", "attorney_represented", "attorney_only",
          (f"{_KINDS}::test_standing_restriction_suppresses",
           f"{_KINDS}::test_attorney_letters_still_go_addressed_to_the_attorney"),
          "represented by an attorney: no direct contact; letters go to the attorney"),
    _gate("handed_off", "handed_off", "handed_off_no_contact",
          ("tests/handoff/test_handoff_policy.py::test_after_the_hand_off_only_the_exempt_contacts_go_about_the_loan",
           "tests/handoff/test_handoff_policy.py::test_a_contact_planned_before_the_hand_off_is_stopped_at_send_time"),
          "the loan was handed to the legal or agency partner ([handoff]): nothing more about it goes except "
          "payment_confirmation, opt_out_confirmation and legally required steps; other loans go on"),
    _gate("arrangement_active", "arrangement_active", "arrangement_no_escalation",
          (f"{_PLANS}::test_an_active_plan_holds_the_ladder_and_the_contractual_reminders",
           f"{_PLANS}::test_a_pending_review_holds_the_ladder"),
          "a repayment plan is asked for or running on the loan: no ladder step, collection follow-up, "
          "hardship offer or contractual reminder (the plan's own reminders replace them)",
          also_audited_by=("arrangement_holds",)),
    _gate("awaiting_reoffer", "awaiting_reoffer", "reoffer_before_resume",
          (f"{_PLANS}::test_a_broken_plan_is_reoffered_then_the_ladder_resumes_at_the_next_step",),
          "the plan broke: the ladder waits until the re-offer went and [arrangements].reoffer_wait_days passed"),
    _gate("plan_payment_covered", "plan_payment_covered", "plan_contact_after_covered",
          (f"{_COVERED}::test_the_recheck_stops_a_plan_reminder_paid_after_planning",
           f"{_COVERED}::test_the_recheck_stops_a_plan_reminder_of_a_plan_kept_meanwhile"),
          "a plan reminder or missed-payment note about a plan installment already covered, or a plan "
          "no longer running (broken or kept)"),
    _gate("paused_complaint", "paused_complaint", "complaint_pause",
          (f"{_KINDS}::test_standing_restriction_suppresses",),
          "collection calls and visits wait while a complaint is open"),
    _gate("paused_dispute", "paused_dispute", "dispute_pause",
          (f"{_RULES}::test_cease_contact_stops_collection_and_dispute_pauses_only_that_loan",
           f"{_REASONS}::test_gate_and_audit_judge_a_step_by_the_same_collection_flag"),
          "collection waits while the debt is disputed"),
    _gate("paused_hardship", "paused_hardship", "hardship_pause",
          (f"{_RULES}::test_hardship_pauses_escalation_and_offers_a_plan_instead",),
          "the ladder pauses after a hardship request"),
    _gate("paused_promise", "paused_promise", "promise_pause",
          ("tests/inbound/test_ingest_events.py::test_promise_from_a_call_pauses_the_ladder_until_the_day_after",),
          "the ladder waits until the day after a promised payment date"),
    _gate("survey_complaint", "survey_complaint", "survey_restrictions",
          (f"{_SURVEYS}::test_no_survey_while_a_complaint_is_open",),
          "no survey, on any channel, while the borrower has an open complaint"),
    _gate("survey_dispute", "survey_dispute", "survey_restrictions",
          (f"{_SURVEYS}::test_no_survey_while_any_loan_is_disputed",),
          "no survey while any loan of the borrower is disputed"),
    _gate("survey_fatigue", "survey_fatigue", "survey_fatigue",
          (f"{_SURVEYS}::test_one_survey_per_fatigue_window",),
          "at most one survey per borrower per [surveys].fatigue_days days"),
    _gate("survey_headroom", "survey_headroom", "survey_headroom",
          (f"{_SURVEYS}::test_a_survey_that_would_fill_the_seven_day_sms_cap_waits_and_the_next_days_step_goes",
           f"{_SURVEYS}::test_a_survey_leaves_room_for_another_contact_on_its_day"),
          "a survey goes only when it leaves room under the caps for one more contact after it (SMS per "
          "7 days, contacts per day)"),
    _gate("holiday", "holiday", "holidays",
          (f"{_RULES}::test_no_collection_contact_on_a_public_holiday_but_reminders_go",),
          "no collection on a public holiday of the borrower's profile"),
    _gate("visit_not_working_day", "visit_not_working_day", "visit_working_days",
          (f"{_VISITS}::test_a_visit_waits_for_a_working_day",),
          "home visits only on working days ([visits].working_days, not a holiday)"),
    _gate("no_field_pair", "no_field_pair", "visit_notice_no_pair",
          ("tests/visits/test_visit_plan.py::test_no_city_or_no_pair_for_the_city_is_no_field_pair_and_the_ladder_moves_on",
           "tests/visits/test_visit_plan.py::test_no_city_on_file_withholds_the_notice_and_the_visit_no_field_pair",
           "tests/visits/test_visit_plan.py::test_a_city_no_pair_covers_withholds_the_notice_and_the_visit_no_field_pair"),
          "no city on file, or no two field agents of the roster cover the city with one speaking the "
          "borrower's language: neither the visit notice nor the visit goes (standing: the ladder moves on); "
          "with a roster only",
          also_audited_by=("visit_pair",)),
    _gate("visit_unannounced", "visit_unannounced", "visit_notice",
          (f"{_VISITS}::test_a_visit_whose_notice_can_never_go_is_not_made_and_the_ladder_reaches_the_hand_off",),
          "the visit's notice can never go (a standing restriction): the visit is never made, and the "
          "ladder moves on"),
    _gate("awaiting_visit_notice", "awaiting_visit_notice", "visit_notice",
          (f"{_VISITS}::test_a_visit_waits_for_its_notice_then_goes_on_a_working_day",),
          "a home visit waits until its notice went [visits].notice_days before"),
    _gate("awaiting_forbearance_offer", "awaiting_forbearance_offer", "forbearance_before_escalation",
          (f"{_RULES}::test_uk_borrower_is_offered_forbearance_before_the_ladder_goes_on",),
          "forbearance is offered before the ladder goes on"),
    _gate("cap_call_cooldown", "cap_call_cooldown", "call_cooldown_after_conversation",
          (f"{_RULES}::test_no_call_within_seven_days_after_a_conversation",),
          "no call for some days after a conversation"),
    _gate("preference_channel", "preference_channel", "preferences_honoured",
          (f"{_ZONES}::test_contact_preference_avoids_a_channel_and_narrows_the_window",),
          "the borrower's latest contact preference lists the channel among those not to use"),
    _gate("vulnerable_no_calls", "vulnerable_no_calls", "vulnerable_limits",
          (f"{_ZONES}::test_vulnerable_borrower_gets_no_calls_and_reduced_caps",),
          "no call or visit while the borrower is flagged vulnerable ([policy.vulnerable].calls_allowed)"),
    _gate("no_common_window", "no_common_window", "quiet_hours_every_zone",
          (f"{_ZONES}::test_no_common_window_suppresses_when_the_zones_never_overlap",
           f"{_ZONES}::test_a_letter_goes_even_when_the_zones_share_no_hour",
           f"{_RECHECK}::test_a_preference_leaving_no_hour_suppresses_with_no_common_window",
           f"{_RECHECK}::test_a_narrowing_outside_the_stored_window_suppresses_even_before_it_opens"),
          "the windows of the borrower's plausible zones do not overlap that day (Reg F 1006.6(b)(1) cmt 2)"),
    _cap("cap_sms_per_day", "sms_per_day", (f"{_RULES}::test_caps_keep_the_most_severe_then_largest_contacts",
                                            f"{_RECHECK}::test_vulnerable_after_the_plan_holds_the_day_to_the_reduced_caps",
                                            f"{_RECHECK}::test_vulnerable_after_a_first_sms_went_counts_what_was_already_sent"),
         "SMS per local day"),
    _cap("cap_sms_per_7_days", "sms_per_7_days",
         (f"{_REASONS}::test_reason_fires", f"{_RECHECK}::test_vulnerable_after_the_plan_counts_the_seven_days_too"),
         "SMS per rolling 7 days"),
    _cap("cap_email_per_day", "email_per_day", (f"{_REASONS}::test_reason_fires",), "emails per local day"),
    _cap("cap_calls_per_7_days", "calls_per_7_days", (f"{_RULES}::test_eighth_call_in_seven_days_is_suppressed",),
         "calls per rolling 7 days"),
    _cap("cap_calls_per_day", "reached_calls_per_day", (f"{_REASONS}::test_reason_fires",),
         "calls per local day: one where the profile has a cooldown after a conversation (the dialer's order "
         "is its own), else reached_calls_per_day"),
    _cap("cap_contacts_per_day", "contacts_per_day", (f"{_REASONS}::test_reason_fires",),
         "contacts of any channel per local day"),
    _cap("cap_visits_per_day", "visits_per_day",
         (f"{_VISITS}::test_two_loans_get_one_visit_a_day_and_the_second_goes_the_next_working_day",),
         "home visits per local day: one, whatever the number of loans (CONC 7.9; found by issue 19's 90-day run)"),
    # issue 16: a call the policy let through that no agent can take today is carried (calls/assign.py)
    Reason("agent_capacity", "calls/assign/carry.sql", "agent_capacity",
           (f"{_ASSIGN}::test_capacity_overflow_is_carried_and_comes_back_next_day_with_more_points",),
           "the agents who could take the call (language, skills, shift overlapping the window) are full: "
           "carried, proposed again the next day under every cap"),
    Reason("no_agent_today", "calls/assign/carry.sql", "call_slot_window",
           (f"{_ASSIGN}::test_no_agent_on_shift_in_the_window_is_carried_no_agent_today",
            f"{_ASSIGN}::test_a_window_narrowed_at_dispatch_moves_the_slot_or_carries_the_call"),
           "no agent who could take the call works a shift overlapping its window today (or, at dispatch, "
           "the narrowed window leaves no room on its agent's shift): carried to the next day"),
    Reason("no_agent", "calls/assign/carry.sql", "call_agent_fit",
           (f"{_ASSIGN}::test_no_agent_speaking_the_language_with_the_skills_is_standing_no_agent",),
           "no agent of the call's team or its overflow teams speaks the language with the skills the call "
           "needs: standing until the roster changes (counts as taken, so the ladder moves on)"),
    # issue 16, part D: a visit goes to a pair of field agents with a slot, or is carried (visits/apply_plan.sql)
    Reason("field_capacity", "visits/apply_plan.sql", "visit_slot_window",
           ("tests/visits/test_visit_plan.py::test_overflow_is_carried_with_field_capacity_and_goes_the_next_working_day",),
           "no pair of field agents covering the borrower's city has a free slot in the window today: carried, "
           "the ladder proposes the visit again the next allowed day (loan_comms/visits/plan.py)"),
    Reason("window_missed", "policy/apply_recheck.sql", "nothing_lost",
           (f"{_RULES}::test_window_passed_unsent_is_suppressed_never_sent_late",),
           "the contact window closed unsent: never sent late"),
    Reason("lost", "delivery/note_halted.sql", "nothing_lost",
           ("tests/delivery/test_outage_lost.py::test_an_outage_all_day_is_lost_in_the_summary_and_fails_the_audit",),
           "window_missed after a send try or a provider failure: lost to a delivery failure "
           "(summaries and alerts count it apart; the audit fails it)"),
)
