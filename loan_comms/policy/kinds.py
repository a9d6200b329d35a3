"""The catalog of borrower event kinds: what each one is about, how far it reaches, what it stops.

Why one catalog: an event's reach (one loan, or every loan of the person) decided in several
places drifts, and issue 11 case 6 was exactly that: a DISPUTE reply, its loan only guessed from the
last message, paused one loan of two. Here each kind says its scope once; the recording paths set
`borrower_events.scope` from it (events.py for operator and dialer files; the reply and e-mail
provider SQL write the same values, held to this catalog by tests/policy/test_kinds.py), and
README's "Event kinds and their scope" table is held to it too.

Scopes:
  borrower    every loan of the borrower, whether or not the event names a loan;
  loan        only the loan the event names (payments, promises, call and visit outcomes);
  named_loan  only the named loan when the event NAMES it explicitly (an operator's file row with
              loan_id); borrower-wide when the loan is absent or only inferred (an SMS reply).
  point       the contact point the event names (borrower_events.contact_point), for EVERY borrower
              holding it: a number found reassigned is recorded for each of them (scope 'borrower'),
              an agent's wrong_number / point_verified row names it with an `address` column.
  named_point the person (every loan, every point of theirs on the channel), or only the contact point
              an operator's row names (its `address` column): recorded with scope 'point', read by the
              point's state (sql/lifecycle/state/point_flags.sql) and not as the person's choice
              (borrower_flags.sql). An opt-out of one number only: that number, whoever holds it.
A row recorded before scopes existed (scope NULL) is read as borrower-wide unless its kind is
`loan`: when in doubt, the wider pause is the safe one.
"""

from __future__ import annotations

from dataclasses import dataclass

BORROWER, LOAN, NAMED_LOAN, POINT, NAMED_POINT = "borrower", "loan", "named_loan", "point", "named_point"


@dataclass(frozen=True)
class Kind:
    """One event kind: its scope, what it suppresses (reasons), the audit rule checking it, who records it.

    ends: the kind that ends it (its pair), if any; detail: the fields its detail JSON carries.
    """

    kind: str
    scope: str
    suppresses: tuple[str, ...]
    audit: str | None
    recorded_by: tuple[str, ...]
    ends: str | None = None
    detail: str = ""
    why: str = ""


KINDS: tuple[Kind, ...] = (
    Kind("payment", LOAN, ("paid",), "paid_means_stop", ("payment feed",),
         why="money applied to that loan's installments"),
    Kind("opt_out", NAMED_POINT, ("opted_out_sms", "opted_out_email", "opted_out_call"), "opt_out_honoured",
         ("operator", "reply", "e-mail reply", "agent note", "provider"), ends="opt_in", detail="channel, decided_by",
         why="a channel the person closed is closed for all their loans; an operator's row with an address "
             "closes the channel on that number or e-mail only, for every borrower holding it (a STOP reply "
             "does both: the person's channel and the number it came from)"),
    Kind("cease_contact", BORROWER, ("cease_contact",), "cease_contact_honoured", ("operator",),
         ends="cease_contact_revoked", why="Reg F 1006.6(c): the person asked us to stop; required notices still go"),
    Kind("dispute", NAMED_LOAN, ("paused_dispute",), "dispute_pause",
         ("operator", "reply", "e-mail reply", "agent note", "dialer"),
         ends="dispute_resolved",
         why="Reg F 1006.38 is per debt: an operator naming the disputed loan, or a dialer's dispute outcome "
             "(the loan called about), pauses that loan; a reply (loan only guessed) pauses every loan"),
    Kind("hardship_request", BORROWER, ("paused_hardship",), "hardship_pause",
         ("operator", "reply", "e-mail reply", "agent note", "dialer"),
         why="hardship is the person's situation, not one loan's: every ladder pauses; the plan is "
             "offered on the loan named"),
    Kind("promise_to_pay", LOAN, ("paused_promise",), "promise_pause",
         ("operator", "reply", "e-mail reply", "agent note", "dialer"),
         detail="promised_date, amount", why="a promise is an amount on that loan"),
    Kind("call_outcome", LOAN, ("cap_call_cooldown", "point_unusable", "paused_promise"),
         "call_cooldown_after_conversation", ("dialer",),
         detail="outcome (no_answer, busy, voicemail, reached, promise_to_pay, hardship_request, dispute, "
                "wrong_number, refused, callback_requested), attempt_id, dial_seq, agent_id, recording_ref, "
                "promised_date (and the amount), callback {on, from, to}",
         why="one event per dial attempt (audit dial_attempts: within the call's max_dials and dial_until, by an "
             "agent on shift); a conversation (call_conversation() in sql/schema/005_macros.sql) starts the "
             "person's call cooldown; a promise pauses its loan; wrong_number marks the number called (its "
             "contact_point) unusable for everyone on it (audit wrong_number_honoured); hardship_request, "
             "dispute and callback_requested also record that kind (source dialer)"),
    Kind("visit_outcome", LOAN, ("paused_promise", "paused_hardship"), "promise_pause", ("field team",),
         detail="outcome (met, not_home, refused, promise_to_pay, hardship), attempt_id, collectors",
         why="what happened at the door of the visited loan: a promise pauses that loan's ladder; hardship "
             "told at the door is the person's situation and pauses every loan, like a hardship request"),
    Kind("number_reassigned", POINT, ("point_unusable",), "wrong_number_honoured", ("reassigned-numbers file",),
         ends="point_verified", detail="reassigned_on",
         why="FCC reassigned numbers: the number now belongs to someone else; nothing goes to it for any borrower "
             "until that borrower verifies it again (import-contact-points with verified_at)"),
    Kind("wrong_number", POINT, ("point_unusable",), "wrong_number_honoured",
         ("operator", "reply", "e-mail reply", "provider"),
         ends="point_verified",
         detail="none (the point: contact_point, from the row's address); from a provider: decided_by, reason",
         why="an agent learnt the number or e-mail reaches someone else, or the e-mail provider reports the "
             "address invalid (it reaches no one): nothing goes to it for any borrower until that borrower "
             "verifies it again (point_verified, also an operator kind: the point must be one of the borrower's)"),
    Kind("inbound_call", BORROWER, ("cap_call_cooldown",), "call_cooldown_after_conversation", ("operator",),
         detail="conversation (true/false)",
         why="Reg F 1006.14(b)(2)(i)(B) comment 1.ii: a conversation the person started counts"),
    Kind("complaint", BORROWER, ("paused_complaint",), "complaint_pause",
         ("operator", "reply", "e-mail reply", "agent note"),
         ends="complaint_resolved",
         why="FCA DISP / CONC 7.9: while a complaint about our contact is open, no calls or visits "
             "(the intrusive channels); letters, e-mail and SMS still go"),
    Kind("attorney_representation", BORROWER, ("attorney_represented",), "attorney_only", ("operator",),
         ends="attorney_withdrawn", detail="attorney (a name or reference, never an address)",
         why="Reg F 1006.6(b)(2): communicate with the attorney only; letters go, addressed to the attorney"),
    Kind("vulnerable", BORROWER, (), None, ("operator",), ends="vulnerable_ended",
         why="FCA FG21/1: the flag; the person's profile applies reduced caps and no calls"),
    Kind("breathing_space", BORROWER, ("breathing_space",), "breathing_space_honoured", ("operator",),
         ends="breathing_space_ended", detail="until (YYYY-MM-DD)",
         why="UK Debt Respite Scheme: no contact until the end date, except legally required notices"),
    Kind("workplace_prohibited", BORROWER, (), None, ("operator",), ends="workplace_permitted",
         why="Reg F 1006.6(b)(3): no contact at work; applied to the person's work contact points"),
    Kind("deceased", BORROWER, ("deceased",), "deceased_no_contact", ("operator",),
         why="nothing is ever sent to a person who has died, on any loan"),
    Kind("bankruptcy", BORROWER, ("bankruptcy",), "bankruptcy_honoured", ("operator",),
         ends="bankruptcy_dismissed",
         why="automatic stay: collection stops, only required notices go; a discharge does not end it "
             "(the debt is gone), a dismissal does"),
    Kind("contact_preference", BORROWER, (), None, ("operator",),
         detail="window [HH:MM, HH:MM] or null, avoid_channels, avoid_places",
         why="Reg F 1006.6(b)(1), CONC 7.9: times, channels and places the person asked us not to use; "
             "a later preference replaces the earlier one"),
    Kind("sms_reply", BORROWER, (), None, ("reply",), detail="text, classified_as, review, decided_by",
         why="the raw inbound text; its meaning is recorded as its own kind"),
    Kind("email_reply", BORROWER, (), None, ("e-mail reply",), detail="text, classified_as, review, decided_by",
         why="the new text of an e-mail reply (quoted history removed); its meaning is recorded as its own kind"),
    Kind("agent_note", BORROWER, (), None, ("agent note",), detail="text, classified_as, review, decided_by",
         why="what an agent wrote down on a call or a visit (channel call / visit), read like a reply"),
    Kind("callback_request", BORROWER, (), None, ("reply", "e-mail reply", "agent note", "plan page", "dialer"),
         detail="on (YYYY-MM-DD), from, to (HH:MM local); via (plan_page: the plan page's call-me)",
         why="the person asked to be called: one call (step callback) on the day asked or the next allowed "
             "day, in the hours asked; still a call under the caps and quiet hours"),
    Kind("question", BORROWER, (), None, ("reply", "e-mail reply", "agent note"),
         why="a question a person must answer: it opens a review item (reason needs_answer) that pauses nothing"),
    Kind("review_opened", BORROWER, ("awaiting_review", "review_overdue"), "reply_opt_outs_honoured",
         ("reply", "e-mail reply", "agent note"), ends="review_resolved",
         detail="review_id, reason, candidates, deadline, source (channel: the channel it pauses; contact_point)",
         why="a reply too uncertain to apply: collection on its channel pauses while it waits; past its "
             "deadline unresolved, nothing goes on that channel to the person or to the point it came from "
             "(the opt-out it may have been: TCPA 2024 gives 10 business days)"),
    # Repayment arrangements (issue 15, loan_comms/arrangements/): scope 'loan' (the plan's first loan);
    # what a plan stops is read through arrangement_loans (every loan it covers), not the scope.
    # external_id 'arr:<arrangement_id>:<kind without arrangement_>[:<installment_no>]'.
    Kind("arrangement_requested", LOAN, (), "arrangement_holds", ("page", "SMS menu", "agent", "file"),
         detail="arrangement_id, option_id, plan_kind, months, path, reason, agent_id",
         why="a plan chosen that needs a person (needs approval, or no longer within the automatic rules): "
             "it waits in the review queue (loan-comms arrangements review)"),
    Kind("arrangement_accepted", LOAN, (), "arrangement_no_escalation", ("page", "SMS menu", "agent", "file", "reviewer"),
         detail="arrangement_id, option_id, plan_kind, months, path, decided_by",
         why="a plan became active (by the rules or a reviewer): the ladder stops on its loans, its own "
             "reminders begin, and it is exported to the core banking system"),
    Kind("arrangement_declined", LOAN, (), None, ("reviewer",), detail="arrangement_id, reason, decided_by",
         why="a reviewer declined a request, with the reason the borrower is told (arrangement_declined contact)"),
    Kind("arrangement_payment", LOAN, (), None, ("plan state",), detail="arrangement_id, installment_no",
         why="a plan installment fully covered by payments to the covered loans"),
    Kind("arrangement_missed", LOAN, (), None, ("plan state",), detail="arrangement_id, installment_no",
         why="a plan installment still short missed_after_days after its date: a kind reminder"),
    Kind("arrangement_broken", LOAN, (), "reoffer_before_resume", ("plan state",), detail="arrangement_id",
         why="a plan installment short break_after_days after its date: the plan is broken, re-offered, and "
             "counts against the borrower's later options (max_broken)"),
    Kind("arrangement_kept", LOAN, (), None, ("plan state",), detail="arrangement_id",
         why="every plan installment covered (a holiday: its end passed): thanks, and the loan back to normal"),
    # Issue 16, part E: the hand-off itself is in the log as its step's contact (and the handoffs table);
    # its recall is an event, so the gate (sql/handoff/state.sql) and the audit both read it.
    Kind("handoff_recalled", LOAN, (), "handed_off_no_contact", ("handoff recall",),
         detail="reason, by, handed_off_at",
         why="the partner returned the case, or it was handed off by mistake (`loan-comms handoff recall`): "
             "the loan is no longer silenced (handed_off) and its contacts resume where the ladder stood"),
)

# The kinds that end another (pairs): each has the scope of the kind it ends. point_verified ends
# both number_reassigned and wrong_number (both point-scoped); the first listed is its entry.
ENDINGS: dict[str, str] = {}
for _k in KINDS:
    if _k.ends:
        ENDINGS.setdefault(_k.ends, _k.kind)

_BY_KIND = {k.kind: k for k in KINDS}


def kind(name: str) -> Kind:
    """The catalog entry of `name`, or of the kind it ends (dispute_resolved -> dispute)."""
    return _BY_KIND[ENDINGS.get(name, name)]


def all_kinds() -> tuple[str, ...]:
    """Every kind an event may have: the catalog's and their endings."""
    return tuple(k.kind for k in KINDS) + tuple(ENDINGS)


def scope_of(name: str, *, names_loan: bool, names_point: bool = False) -> str:
    """The scope to record for an event of kind `name`: 'loan', 'borrower' or 'point'.

    names_loan: the event names its loan explicitly (an operator's row with loan_id); a loan only
    inferred (an SMS reply matched to the last message) does not count.
    names_point: an operator's row names the contact point (its address) as the one thing it is
    about; only kinds whose scope is named_point then record 'point' (that point only). Kinds of
    scope point record 'borrower': their contact_point says the point, like number_reassigned.
    """
    scope = kind(name).scope
    if scope == LOAN or (scope == NAMED_LOAN and names_loan):
        return LOAN
    if scope == NAMED_POINT and names_point:
        return POINT
    return BORROWER
