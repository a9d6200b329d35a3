"""The rules engine: a text -> the intents it states (clear) and those a person must judge (review).

Steps, each general (no rule knows a particular message):
1. normalise (normalize.py) and cut into clauses of words (segment.py);
2. every rule of config/replies.toml is matched clause by clause on word boundaries; a match
   preceded (within the negation window, in the same clause) by a negation cue is cancelled,
   unless the rule is a request not to be contacted ("don't text me" IS the opt-out);
3. the TCPA 2024 rule: a revocation keyword anywhere in a short reply is a clear opt-out unless
   negated; in a longer message a keyword no rule explains sends the message to review;
4. facts: the channels an opt-out closes (channel words of its clause), a promise's date and
   amount, a call-back's day and hours;
5. strong matches are applied, weak or conflicting ones go to review (the safe side: collection
   contact on that channel pauses until a person decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loan_comms.understanding import dates, segment
from loan_comms.understanding.model import INTENTS, Intent, Understanding
from loan_comms.understanding.normalize import language, normalize
from loan_comms.understanding.rules import CompiledRule, Pattern, Rules, Span, load_rules

PROTECTIVE = ("opt_out", "wrong_number", "dispute", "complaint", "hardship")
PROVIDER_RULE = "provider"
_GIVEN = {"STOP": "opt_out", "STOPALL": "opt_out", "UNSUBSCRIBE": "opt_out", "START": "opt_in", "UNSTOP": "opt_in",
          "HELP": "question", "INFO": "question"}
_CHANNEL_KEYS = ("sms", "email", "call", "visit", "letter")
# The characters of a text that are read, and that the recorder stores (replies.MAX_TEXT is this
# value): the audit classifies the stored text again, so it must be exactly what was read. A longer
# text (a long e-mail) is read up to here and goes to a person for the rest (rule "length.unread").
MAX_TEXT = 4000


@dataclass
class _Found:
    rule: str
    intent: str
    strong: bool
    confidence: float
    clause: int
    span: Span
    needs: str | None = None
    detail: dict[str, str] = field(default_factory=dict)
    about_other: bool = False          # an opt-out word next to a non-message object (autopay)
    only: bool = False                 # "email only": the named channels are the only ones allowed


def _match(pattern: Pattern, spans: dict[str, list[Span]], n: int) -> list[Span]:
    """Every (start, end) where the pattern's slots follow each other within their gaps."""
    out: list[Span] = []
    slots = pattern.slots
    if not pattern.required <= spans.keys():
        return out                       # a word the pattern needs is absent: the common case

    def walk(k: int, pos: int, start: int | None) -> None:
        if k == len(slots):
            if start is not None and (not pattern.at_end or pos == n):
                out.append((start, pos))
            return
        slot = slots[k]
        if slot.optional:
            walk(k + 1, pos, start)
        for s, e in spans.get(slot.lexicon, ()):
            if start is None:
                if pattern.at_start and s != pos:
                    continue
                walk(k + 1, e, s)
            elif pos <= s <= pos + slot.gap:
                walk(k + 1, e, start)

    walk(0, 0, None)
    return out


def _negated(span: Span, spans: dict[str, list[Span]], window: int) -> bool:
    """A negation cue ends at most `window` words before the span, and is not the start of a
    wording that negates nothing after it ("别担心我会还的": 别 negates the worry, not the promise)."""
    exempt = spans.get("_not_neg", ())
    breaks = spans.get("_neg_break", ())
    return any(e <= span[0] and span[0] - e <= window and not _inside((s, e), exempt)
               and not any(e <= b < span[0] for b, _ in breaks)
               for s, e in spans.get("_neg", ()))


def _inside(span: Span, covers: Iterable[Span]) -> bool:
    return any(a <= span[0] < b for a, b in covers)


def _overlaps(span: Span, covers: Iterable[Span]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in covers)


def _near_other_object(span: Span, spans: dict[str, list[Span]]) -> bool:
    """An object that is not a message (autopay, a card, the loan, a job) within 2 words after the
    span ("cancel my autopay") or just before it (Chinese puts it first: "自动扣款怎么取消")."""
    return any(span[1] <= s <= span[1] + 2 or 0 <= span[0] - e <= 1 for s, e in spans.get("_other_object", ()))


def _asks(clause: segment.Clause, spans: dict[str, list[Span]]) -> bool:
    """The clause is a question: it ends with "?" or with a question particle (吗, 呢)."""
    n = len(clause.words)
    return clause.question or any(e == n for _s, e in spans.get("_qend", ()))


def _channels_of(spans: dict[str, list[Span]], channel: str, rules: Rules) -> tuple[tuple[str, ...], str]:
    """The channels a clause's opt-out (or opt-in) is about, and its scope:
    named channels -> those ("named", or "this" when it is the channel the text came on);
    a word for every channel -> all_channels ("all"); nothing -> the channel it came on ("this")."""
    named = tuple(c for c in _CHANNEL_KEYS if spans.get(f"channel_{c}") and c in rules.all_channels)
    if named:
        return named, "this" if named == (channel,) else "named"
    if spans.get("channel_all"):
        return rules.all_channels, "all"
    here = channel if channel in ("sms", "email") or not spans.get("channel_generic") else "sms"
    return (here,), "this" if here == channel else "named"


def _local_today(received_at: datetime, timezone: str | None) -> date:
    if timezone:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is not None and received_at.tzinfo is not None:
            return received_at.astimezone(zone).date()
    return received_at.date()


def understand(text: str, *, channel: str, received_at: datetime, timezone: str | None = None,
               rules: Rules | None = None, given: str | None = None) -> Understanding:
    """What `text` (received on `channel` at `received_at`) asks for. Never raises on any text.

    `given`: a provider's own reading (Twilio's OptOutType STOP / START / HELP), taken as given.
    `timezone`: the borrower's IANA zone; relative dates ("明天", "next Friday") are its days.
    Only the first MAX_TEXT characters are read; a longer text also goes to review (see MAX_TEXT)."""
    rules = rules or load_rules()
    text = text or ""
    unread = len(text) > MAX_TEXT
    if unread:
        text = text[:MAX_TEXT]
    result = _understand_text(text, channel, received_at, timezone, rules, given)
    return _with_unread(result, channel, rules) if unread else result


def _with_unread(result: Understanding, channel: str, rules: Rules) -> Understanding:
    """A text longer than MAX_TEXT: what its first part says stands, and a person reads the rest
    (a weak opt-out of the channel it came on: contact there pauses meanwhile, the safe side)."""
    note = f"longer than {MAX_TEXT} characters: only the first {MAX_TEXT} were read"
    note = f"{result.note}; {note}" if result.note else note
    if any(i.name == "opt_out" and channel in i.channels for i in (*result.intents, *result.review)):
        return replace(result, note=note)
    unread = Intent("opt_out", rules.confidence_weak, "length.unread", (channel,), "this")
    other = [i for i in result.review if i.name != "opt_out"]
    for i in result.review:         # a weak opt-out of other channels: this one joins it
        if i.name == "opt_out":
            chans = tuple(c for c in _CHANNEL_KEYS if c in i.channels or c == channel)
            unread = replace(i, channels=chans, scope="all" if set(rules.all_channels) <= set(chans) else "named")
    review = tuple(sorted((*other, unread), key=lambda i: INTENTS.index(i.name)))
    return replace(result, review=review, note=note)


def _understand_text(text: str, channel: str, received_at: datetime, timezone: str | None, rules: Rules,
                     given: str | None) -> Understanding:
    norm = normalize(rules.substitute(text))
    result = _understand(norm, channel, received_at, timezone, rules, given)
    if rules.respeller is not None:
        respelled = rules.respeller.respell(norm)
        if respelled != norm:
            result = _with_fallback(result, _understand(respelled, channel, received_at, timezone, rules, None),
                                    rules)
    return result


def _with_fallback(result: Understanding, alt: Understanding, rules: Rules) -> Understanding:
    """What only the pinyin respelling reveals is a guess: review (weak), under its own rule name
    ("pinyin:<rule>"); an intent the text states as written keeps its own reading."""
    have = {i.name for i in result.intents} | {i.name for i in result.review}
    extra = tuple(replace(i, confidence=min(i.confidence, rules.confidence_weak), rule=f"pinyin:{i.rule}")
                  for i in alt.intents + alt.review if i.name not in have)
    if not extra:
        return result
    review = tuple(sorted(result.review + extra, key=lambda i: INTENTS.index(i.name)))
    return replace(result, review=review)


def _understand(norm: str, channel: str, received_at: datetime, timezone: str | None, rules: Rules,
                given: str | None) -> Understanding:
    lang = language(norm)
    clauses = segment.clauses(norm)
    today = _local_today(received_at, timezone)
    found: list[_Found] = []
    clause_spans = [rules.spans(c) for c in clauses]
    for clause, spans in zip(clauses, clause_spans):
        _add_exemptions(spans, len(clause.words), rules)
    n_words = sum(len(c.words) for c in clauses)
    short = 0 < n_words <= rules.short_reply_words

    for ci, (clause, spans) in enumerate(zip(clauses, clause_spans)):
        n = len(clause.words)
        excluded = spans.get("_not_opt_out", [])
        asks = _asks(clause, spans)
        for rule in rules.rules:
            if rule.not_in_question and asks:
                continue
            hit = _first_hit(rule, spans, n, rules.negation_window, excluded)
            if hit is not None:
                other = rule.other_object and _near_other_object(hit, spans)
                strong = rule.strong and not other
                conf = rules.confidence_strong if strong else rules.confidence_weak
                found.append(_Found(rule.id, rule.intent, strong, conf, ci, hit, rule.needs, dict(rule.detail),
                                    other, rule.only))
        # A match inside a longer opt-out match is part of it: "以后不要用这个号码联系我" is no
        # call-back request, "text me again and I'm filing a complaint" no opt-in.
        outs = [f.span for f in found if f.clause == ci and f.intent == "opt_out"]
        found = [f for f in found if f.clause != ci or f.intent not in ("opt_in", "callback_request")
                 or not _overlaps(f.span, outs)]
        # An opt-in wording inside a complaint is the complaint ("why do you keep texting me"): the
        # complaint is strong, or the clause asks or frets about the contact; "keep texting me
        # please" stays an opt-in.
        gripes = [f.span for f in found if f.clause == ci and f.intent == "complaint"]
        griping = asks or any(f.clause == ci and (f.intent == "question" or (f.intent == "complaint" and f.strong))
                              for f in found) or bool(spans.get("unease") or spans.get("_neg"))
        if gripes and griping:
            found = [f for f in found if f.clause != ci or f.intent != "opt_in" or not _overlaps(f.span, gripes)]
        # A question about another object ("How do I cancel my autopay?") asks; it revokes nothing.
        if asks or any(f.clause == ci and f.intent == "question" for f in found):
            found = [f for f in found if f.clause != ci or not f.about_other]
        if clause.question and not any(f.clause == ci for f in found):
            found.append(_Found("question.mark", "question", True, rules.confidence_strong, ci, (0, n)))

    found.extend(_tcpa(clauses, clause_spans, found, short, rules))
    found.extend(_safety_net(clause_spans, found, n_words, rules))
    for f in found:
        if f.strong and clause_spans[f.clause].get("_hedge"):
            f.strong, f.confidence = False, rules.confidence_weak
    return _decide(found, clauses, clause_spans, norm, lang, channel, today, rules, given)


def _add_exemptions(spans: dict[str, list[Span]], n: int, rules: Rules) -> None:
    """[tcpa].not_opt_out_context: exemptions that hold only in context ("stop by" + a place, "quit"
    + a job) join the clause's plain not_opt_out wordings."""
    for pattern in rules.exemptions:
        for span in _match(pattern, spans, n):
            spans.setdefault("_not_opt_out", []).append(span)


def _first_hit(rule: CompiledRule, spans: dict[str, list[Span]], n: int, window: int,
               excluded: list[Span]) -> Span | None:
    for pattern in rule.patterns:
        for span in _match(pattern, spans, n):
            if rule.unless_next and any(s == span[1] for s, _e in spans.get(rule.unless_next, ())):
                continue
            if rule.intent == "opt_out" and _overlaps(span, excluded):
                continue
            if rule.negatable and _negated(span, spans, window):
                continue
            return span
    return None


def _tcpa(clauses: list[segment.Clause], clause_spans: list[dict[str, list[Span]]], found: list[_Found],
          short: bool, rules: Rules) -> list[_Found]:
    """TCPA 2024: a revocation keyword in a short reply is a clear opt-out unless negated (or about
    a payment: review); in a longer message, one that no opt-out rule explains goes to review."""
    out: list[_Found] = []
    exempted: list[_Found] = []
    for ci, spans in enumerate(clause_spans):
        explained = [f.span for f in found if f.clause == ci and f.intent in ("opt_out", "opt_in")]
        excluded = spans.get("_not_opt_out", [])
        for kw in spans.get("_tcpa", ()):
            if _negated(kw, spans, rules.negation_window):
                continue
            if _inside(kw, excluded):
                exempted.append(_Found("tcpa.exempt_short", "opt_out", False, rules.confidence_weak, ci, kw))
                continue
            about_other = _near_other_object(kw, spans)
            if about_other and (_asks(clauses[ci], spans) or any(f.clause == ci and f.intent == "question"
                                                                   for f in found)):
                continue
            if short and not about_other and not _asks(clauses[ci], spans):
                out.append(_Found("tcpa.short_reply", "opt_out", True, rules.confidence_tcpa, ci, kw))
            elif about_other:
                out.append(_Found("tcpa.other_object", "opt_out", False, rules.confidence_weak, ci, kw))
            elif short and not _inside(kw, explained):
                # "When does the promo end?": a keyword in a short question is not clearly a request.
                out.append(_Found("tcpa.short_question", "opt_out", False, rules.confidence_weak, ci, kw))
            elif not _inside(kw, explained):
                out.append(_Found("tcpa.unexplained", "opt_out", False, rules.confidence_weak, ci, kw))
    # A short reply whose keyword only an exemption explains ("I'll stop by the branch", "the end"),
    # and in which nothing else is found, is not dropped: the exemption may be wrong, a person looks.
    if short and exempted and not found and not out:
        out.append(exempted[0])
    return out


_CONTACT_SPANS = ("contact_verb", "contact_object", "channel_sms", "channel_call", "channel_email", "channel_visit",
                  "channel_generic", "channel_all")


def _safety_net(clause_spans: list[dict[str, list[Span]]], found: list[_Found], n_words: int,
                rules: Rules) -> list[_Found]:
    """"Any reasonable means" is wider than any list of wordings. A clause in which no rule found
    anything, that speaks of contacting the person (a contact verb or a channel word) together with a
    word of refusal, annoyance or negation ([lexicon].unease, [negation].cues), is a POSSIBLE opt-out:
    weak, so it goes to a person and is never applied alone (collection contact on its channel pauses
    meanwhile). A clause with a clear meaning of its own ("call me after 6", a promise) is left alone."""
    busy = {f.clause for f in found}
    out: list[_Found] = []
    for ci, spans in enumerate(clause_spans):
        if ci in busy or spans.get("_not_opt_out"):
            continue
        contact = [s for key in _CONTACT_SPANS for s in spans.get(key, ())]
        cues = [s for s in spans.get("unease", []) + spans.get("_neg", [])
                if not _inside(s, spans.get("_not_neg", ()))]
        if contact and cues and any(not _overlaps(c, [k]) for c in contact for k in cues):
            out.append(_Found("opt_out.safety_net", "opt_out", False, rules.confidence_weak, ci, min(contact)))
    # A short message says it across its clauses ("your texts are driving me up the wall, enough").
    if not found and not out and n_words <= 2 * rules.short_reply_words:
        contact_in = [ci for ci, sp in enumerate(clause_spans) if any(sp.get(k) for k in _CONTACT_SPANS)]
        uneasy = any(sp.get("unease") or sp.get("_neg") for sp in clause_spans)
        if contact_in and uneasy and not any(sp.get("_not_opt_out") for sp in clause_spans):
            ci = contact_in[0]
            first = min(s for k in _CONTACT_SPANS for s in clause_spans[ci].get(k, ()))
            out.append(_Found("opt_out.safety_net", "opt_out", False, rules.confidence_weak, ci, first))
    return out


def _decide(found: list[_Found], clauses: list[segment.Clause], clause_spans: list[dict[str, list[Span]]],
            norm: str, lang: str, channel: str, today: date, rules: Rules, given: str | None) -> Understanding:
    note: str | None = None
    # Dates and times are read only when a promise or a call-back asks for them (most texts don't).
    promised, window, used = None, None, []
    if any(f.intent in ("promise_to_pay", "callback_request") for f in found):
        promised, date_span = dates.find_date(norm, today)
        window, time_spans = dates.find_window(norm)
        used = ([date_span] if date_span else []) + time_spans
    usable = promised is not None and today <= promised <= today + timedelta(days=366)
    if not usable:                         # "还" without a date is too loose to mean a promise
        found = [f for f in found if not (f.intent == "promise_to_pay" and f.needs == "date")]
    # Questions only from clauses that say nothing else ("can you call me?" is a call-back request).
    busy = {f.clause for f in found if f.intent != "question"}
    found = [f for f in found if f.intent != "question" or f.clause not in busy]

    clear: dict[str, Intent] = {}
    review: dict[str, Intent] = {}

    def add(target: dict[str, Intent], intent: Intent) -> None:
        old = target.get(intent.name)
        if old is None:
            target[intent.name] = intent
            return
        chans = tuple(c for c in _CHANNEL_KEYS if c in old.channels or c in intent.channels)
        scope = "all" if "all" in (old.scope, intent.scope) or set(rules.all_channels) <= set(chans) else (
            "this" if chans == (channel,) else "named") if chans else None
        best = intent if intent.confidence > old.confidence else old
        target[intent.name] = replace(best, channels=chans, scope=scope, detail={**intent.detail, **old.detail})

    for f in found:
        intent = Intent(f.intent, f.confidence, f.rule, detail=f.detail)
        if f.intent == "opt_out" and f.only:
            allowed = tuple(c for c in _CHANNEL_KEYS if clause_spans[f.clause].get(f"channel_{c}"))
            closed = tuple(c for c in rules.all_channels if c not in allowed)
            if not closed:
                continue
            intent = replace(intent, channels=closed, scope="named",
                             detail={**intent.detail, "only": ",".join(allowed)})
        elif f.intent in ("opt_out", "opt_in"):
            chans, scope = _channels_of(clause_spans[f.clause], channel, rules)
            intent = replace(intent, channels=chans, scope=scope)
        elif f.intent == "promise_to_pay":
            if not usable:
                note = ("promise without a usable date" if promised is None
                        else "promise dated outside the next year")
                intent = replace(intent, confidence=min(intent.confidence, rules.confidence_weak))
            intent = replace(intent, promised_date=promised if usable else None,
                             amount=dates.find_amount(norm, used))
        elif f.intent == "callback_request":
            intent = replace(intent, callback_on=promised, callback_window=window)
        add(clear if intent.confidence >= rules.apply_threshold else review, intent)

    if given and given.strip().upper() in _GIVEN:
        name = _GIVEN[given.strip().upper()]
        given_chans: tuple[str, ...] = ()
        given_scope: str | None = None
        if name in ("opt_out", "opt_in"):
            given_chans, given_scope = ((rules.all_channels, "all") if given.strip().upper() == "STOPALL"
                            else ((channel,), "this"))
        provided = Intent(name, 1.0, PROVIDER_RULE, given_chans, given_scope)
        mine = clear.pop(name, None)
        review.pop(name, None)
        if mine is not None:
            merged = tuple(c for c in _CHANNEL_KEYS if c in mine.channels or c in given_chans)
            provided = replace(provided, channels=merged, scope="all" if "all" in (mine.scope, given_scope)
                               else "this" if merged == (channel,) else "named")
        clear[name] = provided
        opposite = {"opt_out": "opt_in", "opt_in": "opt_out"}.get(name)
        if opposite:
            clear.pop(opposite, None)
            review.pop(opposite, None)

    # A clear intent makes the same weak one redundant, unless the weak one names more channels.
    for name in list(review):
        if name in clear:
            extra = tuple(c for c in review[name].channels if c not in clear[name].channels)
            if extra:
                review[name] = replace(review[name], channels=extra,
                                       scope="this" if extra == (channel,) else "named")
            else:
                del review[name]
    # Conflict: stop and start in one text. Stopping is the safe side; the start waits for a person.
    if "opt_out" in clear and "opt_in" in clear:
        review["opt_in"] = clear.pop("opt_in")
    if "opt_in" in clear and "opt_out" in review:
        review["opt_in"] = clear.pop("opt_in")

    def ordered(d: dict[str, Intent]) -> tuple[Intent, ...]:
        return tuple(sorted(d.values(), key=lambda i: INTENTS.index(i.name)))

    return Understanding(ordered(clear), ordered(review), lang, norm, rules.version, note)
