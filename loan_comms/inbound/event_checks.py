"""Checks an inbound event's values must pass before it can change what we do to a borrower.

Why: a file is not trusted because it arrived. A cease-contact dated 2062, a promise of "NaN" or
-5, a date that is not a date: each would silently pause or unpause someone. Every check raises
ValueError with a reason an operator can act on, naming the field (never personal data), so the row
is quarantined and its neighbours still land. Checks against the book (the borrower exists, the loan
is theirs) are set-based, in sql/inbound/events/check_book.sql.

Time checks take an explicit reference `now`: the simulator ingests files stamped with its own
simulated clock, and passes that instant, so it never refuses its own rows.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loan_comms.book.validation import EMAIL_RE, normalise_phone
from loan_comms.masking import mask_email, mask_pii

MAX_AMOUNT = Decimal("100000000")            # beyond this (any currency) an amount is a typo, not a promise
FUTURE_TOLERANCE = timedelta(minutes=10)     # clocks of dialers and agents' PCs drift a little
EARLIEST_YEAR = 2000                         # nothing a lender's systems record happened before
MAX_PROMISE_AHEAD = timedelta(days=366)      # the same limit as promises made by SMS (docs/replies.md)


def show(value: Any, limit: int = 40) -> str:
    """A value for a reason: repr, cut short, and masked when it looks like a phone or an e-mail
    (a wrong field may hold anything, and reasons are printed)."""
    if isinstance(value, str) and ("@" in value or value.strip().startswith("+")):
        value = mask_pii(value)
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def occurred_at(value: Any, now: datetime, tolerance: timedelta = FUTURE_TOLERANCE) -> datetime:
    """An ISO timestamp with an offset, not after `now` + `tolerance`."""
    if value is None or value == "":
        raise ValueError("occurred_at is missing")
    try:
        ts = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"occurred_at {show(value)} is not a timestamp like 2026-11-06T10:00:00+08:00") from None
    if ts.tzinfo is None:
        raise ValueError(f"occurred_at {show(value)} has no timezone offset")
    if ts > now + tolerance:
        raise ValueError(f"occurred_at {ts.isoformat()} is in the future (now is {now.isoformat(timespec='minutes')})")
    if ts.year < EARLIEST_YEAR:
        raise ValueError(f"occurred_at {ts.isoformat()} is before {EARLIEST_YEAR}: a mistyped or placeholder date")
    return ts


def amount(value: Any) -> Decimal | None:
    """An optional amount: a finite number greater than 0 and below MAX_AMOUNT, to the cent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"amount {show(value)} is not a number")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"amount {show(value)} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"amount {show(value)} is not a finite number")
    if d <= 0:
        raise ValueError(f"amount {show(value)} must be greater than 0")
    if d >= MAX_AMOUNT:
        raise ValueError(f"amount {show(value)} is implausibly large (limit {MAX_AMOUNT:,})")
    return d.quantize(Decimal("0.01"))


def promised_date(value: Any, made_at: datetime) -> date:
    """A real date (YYYY-MM-DD), not before the day the promise was made nor more than a year after."""
    if value is None or value == "":
        raise ValueError("promise_to_pay needs a promised_date (YYYY-MM-DD)")
    try:
        d = date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"promised_date {show(value)} is not a date (YYYY-MM-DD)") from None
    if d < made_at.date():
        raise ValueError(f"promised_date {d} is before the day the promise was made ({made_at.date()})")
    if d > made_at.date() + MAX_PROMISE_AHEAD:
        raise ValueError(f"promised_date {d} is more than a year after the promise ({made_at.date()})")
    return d


def one_of(field: str, value: Any, allowed: tuple[str, ...]) -> str:
    """`value` when it is one of `allowed`, else a reason listing them."""
    if value is None or value == "":
        raise ValueError(f"{field} is missing (one of {', '.join(allowed)})")
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{field} {show(value)} is not one of {', '.join(allowed)}")
    return value


def identifier(field: str, value: Any) -> str:
    """A non-empty id (text or a whole number), stripped."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise ValueError(f"{field} is missing" if value in (None, "") else f"{field} {show(value)} is not an id")
    return str(value).strip()


# -- the detail of the issue-11 kinds (loan_comms/policy/kinds.py) ---------------------------------
PREFERENCE_CHANNELS = ("sms", "email", "call", "letter", "visit")
PLACES = ("home", "work", "mobile")
MAX_BREATHING_SPACE = timedelta(days=400)    # 60 days standard; a mental-health crisis lasts its treatment + 30


def dial_seq(value: Any) -> int | None:
    """An optional dial sequence number: a whole number from 0 (the dialer's n-th try of one attempt)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"dial_seq {show(value)} is not a whole number")
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(f"dial_seq {show(value)} is not a whole number") from None
    if n < 0 or n > 10_000:
        raise ValueError(f"dial_seq {n} is out of range (0 to 10000)")
    return n


def hhmm(field: str, value: Any) -> str:
    """A local time 'HH:MM' (00:00 to 23:59)."""
    if value is None or value == "":
        raise ValueError(f"{field} is missing (a time like 09:30)")
    text = str(value).strip() if isinstance(value, str) else None
    if not text or len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit() \
            or int(text[:2]) > 23 or int(text[3:]) > 59:
        raise ValueError(f"{field} {show(value)} is not a time like 09:30")
    return text


def names(field: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    """A list of names from a JSON list or a text 'a;b' / 'a,b' (empty: none), each one of `allowed`."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items: list[Any] = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(f"{field} {show(value)} is not a list of {', '.join(allowed)}")
    return sorted({one_of(field, v, allowed) for v in items})


def flag(field: str, value: Any) -> bool:
    """A yes/no value: true/false, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in ("true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"{field} {show(value)} is not true or false" if text else f"{field} is missing (true or false)")


def kind_detail(kind: str, row: dict[str, Any], when: datetime) -> dict[str, Any]:
    """The detail JSON an operator event of `kind` carries, checked (the contracts of kinds.py).

    breathing_space: {"until": date}, not before the event's day nor implausibly far;
    attorney_representation: {"attorney": name or reference} (optional; never an address: letters go
      through the work item, and a reference is not personal data of the borrower);
    contact_preference: {"window": [start, end] | null, "avoid_channels": [...], "avoid_places": [...]};
    inbound_call: {"conversation": bool}; promise_to_pay: {"promised_date": date}.
    """
    if kind == "promise_to_pay":
        return {"promised_date": promised_date(row.get("promised_date"), when).isoformat()}
    if kind == "breathing_space":
        value = row.get("until")
        if value in (None, ""):
            raise ValueError("breathing_space needs until (YYYY-MM-DD), the day the moratorium ends")
        try:
            until = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"until {show(value)} is not a date (YYYY-MM-DD)") from None
        if until < when.date():
            raise ValueError(f"until {until} is before the day the breathing space began ({when.date()})")
        if until > when.date() + MAX_BREATHING_SPACE:
            raise ValueError(f"until {until} is more than {MAX_BREATHING_SPACE.days} days after {when.date()}")
        return {"until": until.isoformat()}
    if kind == "attorney_representation":
        attorney = row.get("attorney")
        if attorney in (None, ""):
            return {}
        if "@" in str(attorney) or str(attorney).strip().startswith("+"):
            raise ValueError("attorney must be a name or a reference, not a phone or an e-mail address")
        return {"attorney": str(attorney).strip()[:200]}
    if kind == "contact_preference":
        start, end = row.get("window_start"), row.get("window_end")
        window: list[str] | None = None
        if start not in (None, "") or end not in (None, ""):
            window = [hhmm("window_start", start), hhmm("window_end", end)]
            if window[0] >= window[1]:
                raise ValueError(f"window_start {window[0]} is not before window_end {window[1]}")
        detail: dict[str, Any] = {"window": window,
                                  "avoid_channels": names("avoid_channels", row.get("avoid_channels"),
                                                          PREFERENCE_CHANNELS),
                                  "avoid_places": names("avoid_places", row.get("avoid_places"), PLACES)}
        return detail  # all empty: the person withdrew their earlier preference
    if kind == "inbound_call":
        return {"conversation": flag("conversation", row.get("conversation"))}
    return {}


# -- the contact point an operator's row names (kinds wrong_number, point_verified, opt_out/opt_in) --
POINT_CHANNELS = {"phone": ("sms", "call"), "email": ("email",)}


def point_of(kind: str, address: str) -> str:
    """The contact point id of a normalized address: kind || ':' || the first 16 hex of
    sha256(kind || ':' || address), the same id as the SQL macro point_id() (sql/schema/005_macros.sql),
    so an event recorded here names the point the recipients view and the audit compute."""
    return f"{kind}:{hashlib.sha256(f'{kind}:{address}'.encode()).hexdigest()[:16]}"


def address(value: Any) -> tuple[str, str]:
    """(kind, normalized address) of an operator's `address`: a phone in E.164 ('+86 138-...' is
    tolerated, the country code is required) or an e-mail (trimmed, lower-cased), normalized as the
    importers do (loan_comms/book/validation.py). Reasons are masked: an address is never printed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("address is missing (the phone in E.164, e.g. +8613812345678, or the e-mail)")
    if not isinstance(value, str):
        raise ValueError("address is not a phone number or an e-mail address")
    text = value.strip()
    if "@" in text:
        email = text.lower()
        if not EMAIL_RE.match(email):
            raise ValueError(f"address {mask_email(text)} is not an e-mail address")
        return "email", email
    phone, problem = normalise_phone(text)
    if phone is None:
        raise ValueError(f"address: {problem or 'not a phone number'}")
    return "phone", phone


def point_for_channel(value: Any, channel: str | None) -> str:
    """The point id of `value` (see address), which must be able to carry `channel` when one is given
    (an SMS opt-out names a phone, an e-mail opt-out an e-mail)."""
    kind, normalized = address(value)
    if channel is not None and channel not in POINT_CHANNELS[kind]:
        raise ValueError(f"channel {channel} does not go to {'a phone number' if kind == 'phone' else 'an e-mail'}"
                         f" (address for {', '.join(POINT_CHANNELS[kind])} only)")
    return point_of(kind, normalized)


# -- the dialer's row (issue 16): who dialled, the recording, the callback asked for -----------------
MAX_CALLBACK_AHEAD = timedelta(days=14)      # a callback further out is a new plan, not a callback
AGENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
MAX_RECORDING_REF = 200


def agent_id(value: Any) -> str | None:
    """An optional agent id (the agent who dialled): letters, digits and . _ : - (at most 64), so a
    name, a phone or an e-mail typed into the column is refused, not stored as an id."""
    if value is None or value == "":
        return None
    text = identifier("agent_id", value)
    if not AGENT_ID_RE.match(text):
        raise ValueError(f"agent_id {show(text)} is not an agent id (letters, digits, . _ : - ; at most 64)")
    return text


def recording_ref(value: Any) -> str | None:
    """An optional reference to the call's recording (an id or a URI): no spaces or control
    characters, at most 200 characters. Never the recording itself (nor a data: URI holding it)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"recording_ref {show(value)} is not a reference (an id or a URI)")
    text = str(value)
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError("recording_ref contains spaces or control characters (an id or a URI, without spaces)")
    if len(text) > MAX_RECORDING_REF:
        raise ValueError(f"recording_ref is {len(text)} characters (at most {MAX_RECORDING_REF}: a reference, "
                         "never the recording)")
    if text.lower().startswith("data:"):
        raise ValueError("recording_ref is a data: URI (the recording itself): send a reference to it")
    return text


def _zone_of(timezone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(timezone) if timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def callback(row: dict[str, Any], dialled_at: datetime, timezone: str | None) -> dict[str, str]:
    """The call the person asked for on the phone, as a callback_request's detail {"on", "from", "to"}
    (local date and hours on the borrower's clock, what the reply path records: reply_follow_ups.sql).

    Either `callback_at` (an instant with its offset: the hour from then, on the borrower's clock) or
    `callback_date` (YYYY-MM-DD, the borrower's local date) with optional `callback_from` /
    `callback_to` (HH:MM local; from alone means the hour from then). It must be after the dial and
    at most MAX_CALLBACK_AHEAD later: a callback in the past, or months away, is a typo."""
    at, on = row.get("callback_at"), row.get("callback_date")
    zone = _zone_of(timezone)
    local_dial = dialled_at.astimezone(zone)
    if at not in (None, "") and on not in (None, ""):
        raise ValueError("callback_at and callback_date are both given (one or the other)")
    if at not in (None, ""):
        if row.get("callback_from") not in (None, "") or row.get("callback_to") not in (None, ""):
            raise ValueError("callback_from / callback_to go with callback_date, not callback_at")
        try:
            ts = datetime.fromisoformat(str(at).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"callback_at {show(at)} is not a timestamp like 2026-11-07T15:00:00+08:00") from None
        if ts.tzinfo is None:
            raise ValueError(f"callback_at {show(at)} has no timezone offset")
        if ts <= dialled_at:
            raise ValueError(f"callback_at {ts.isoformat()} is not after the dial ({dialled_at.isoformat()})")
        if ts > dialled_at + MAX_CALLBACK_AHEAD:
            raise ValueError(f"callback_at {ts.isoformat()} is more than {MAX_CALLBACK_AHEAD.days} days after the dial")
        local = ts.astimezone(zone)
        end = local + timedelta(hours=1)
        return {"on": local.date().isoformat(), "from": local.strftime("%H:%M"),
                "to": end.strftime("%H:%M") if end.date() == local.date() else "23:59"}
    if on in (None, ""):
        raise ValueError("callback_requested needs callback_at (an instant) or callback_date (YYYY-MM-DD, local)")
    try:
        day = date.fromisoformat(str(on).strip())
    except ValueError:
        raise ValueError(f"callback_date {show(on)} is not a date (YYYY-MM-DD)") from None
    if day < local_dial.date():
        raise ValueError(f"callback_date {day} is before the day of the dial ({local_dial.date()}, local)")
    if day > local_dial.date() + MAX_CALLBACK_AHEAD:
        raise ValueError(f"callback_date {day} is more than {MAX_CALLBACK_AHEAD.days} days after the dial")
    detail = {"on": day.isoformat()}
    start, stop = row.get("callback_from"), row.get("callback_to")
    if start in (None, "") and stop in (None, ""):
        return detail
    first = hhmm("callback_from", start)
    if stop in (None, ""):
        h, m = int(first[:2]) + 1, int(first[3:])
        last = f"{h:02d}:{m:02d}" if h < 24 else "23:59"
    else:
        last = hhmm("callback_to", stop)
    if first >= last:
        raise ValueError(f"callback_from {first} is not before callback_to {last}")
    if day == local_dial.date() and last <= local_dial.strftime("%H:%M"):
        raise ValueError(f"callback {day} {first}-{last} (local) has already passed at the dial "
                         f"({local_dial.strftime('%H:%M')} local)")
    return {**detail, "from": first, "to": last}
