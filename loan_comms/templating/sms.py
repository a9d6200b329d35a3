"""SMS length: characters, encoding and segments, as a carrier bills them.

A message that fits GSM-7 costs 160 units in one segment (153 per segment when split, the rest is
the concatenation header); extension characters such as `€` or `{` take two units. Any other
character (Chinese, most emoji) switches the whole message to UCS-2: 70 UTF-16 units in one segment,
67 per segment when split. A character is never split across two segments.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


@dataclass(frozen=True, slots=True)
class SmsLength:
    """How a text travels as SMS: `units` are septets (GSM-7) or UTF-16 code units (UCS-2)."""

    encoding: str  # "GSM-7" or "UCS-2"
    chars: int
    units: int
    segments: int

    def __str__(self) -> str:
        return f"{self.chars} chars, {self.segments} segment(s), {self.encoding}"


def is_gsm7(text: str) -> bool:
    """True when every character of `text` exists in the GSM-7 alphabet (basic or extension)."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def _unit_costs(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if c in GSM7_EXTENDED else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _pack(costs: list[int], per_segment: int) -> int:
    """Segments needed when no character may straddle two segments."""
    segments, used = 1, 0
    for cost in costs:
        if used + cost > per_segment:
            segments += 1
            used = 0
        used += cost
    return segments


def sms_length(text: str) -> SmsLength:
    """Encoding, unit count and segment count of one SMS body."""
    gsm = is_gsm7(text)
    costs = _unit_costs(text, gsm)
    units = sum(costs)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if gsm else (UCS2_SINGLE, UCS2_MULTI)
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = _pack(costs, multi)
    return SmsLength("GSM-7" if gsm else "UCS-2", len(text), units, segments)
