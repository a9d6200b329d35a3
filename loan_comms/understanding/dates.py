"""Dates, amounts and times of day in a normalised reply, in English and Chinese.

Everything is read relative to the day the reply arrived in the borrower's own timezone ("明天"
said at 23:30 in Shanghai is the next Shanghai day, whatever UTC says). Hand-written rather than
dateparser: the forms borrowers use are few and known (下周五, 5号, 月底, "the 5th"), dateparser
reads none of the Chinese relative ones and costs ~1 s to import; Chinese numerals in amounts are
read by cn2an, which knows the colloquial forms (一千二 = 1200, 两千 = 2000, 三百五 = 350).

Every finder returns the character spans it used, so a day ("5号") or an hour ("3点") is never
read again as an amount.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

Span = tuple[int, int]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS_EN = {"monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2,
                "thursday": 3, "thurs": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sunday": 6}
_WEEKDAY_EN_RE = "|".join(sorted(_WEEKDAYS_EN, key=len, reverse=True))
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ZH_NUM = "零〇一二两三四五六七八九十"


def zh_small_int(s: str) -> int | None:
    """一 .. 九十九 (days of the month, hours): 十五 = 15, 二十三 = 23, 两 = 2; digits pass through."""
    if s.isdigit():
        return int(s)
    if not s or any(c not in _ZH_NUM for c in s):
        return None
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _ZH_DIGITS.get(tens, -1) if tens else 1
        o = _ZH_DIGITS.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    return _ZH_DIGITS.get(s) if len(s) == 1 else None


_NUM = rf"(\d{{1,2}}|[{_ZH_NUM}]{{1,3}})"


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _next_month_day(today: date, month: int, day: int) -> date | None:
    """The next `month`/`day` on or after today (this year, else next year)."""
    d = _safe(today.year, month, day)
    if d is not None and d < today:
        d = _safe(today.year + 1, month, day)
    return d


def _next_day_of_month(today: date, day: int) -> date | None:
    """The next day-of-month `day` on or after today ("5号", "the 5th")."""
    if not 1 <= day <= 31:
        return None
    y, m = today.year, today.month
    for _ in range(13):
        d = _safe(y, m, day)
        if d is not None and d >= today:
            return d
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return None


def _end_of_month(d: date, months_ahead: int = 0) -> date:
    y, m = d.year, d.month + months_ahead
    while m > 12:
        y, m = y + 1, m - 12
    return date(y, m, calendar.monthrange(y, m)[1])


def _weekday(today: date, wd: int, week: str) -> date:
    """`week`: "" the next such day on or after today; "this" this ISO week's; "next" next week's."""
    if week == "next":
        return today + timedelta(days=7 - today.weekday() + wd)
    if week == "this":
        return today + timedelta(days=wd - today.weekday())
    return today + timedelta(days=(wd - today.weekday()) % 7)


_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?"), "ymd"),
    (re.compile(rf"{_NUM}月{_NUM}[日号]?"), "md"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?![\d/])"), "m/d"),
    (re.compile(rf"\b({_MONTH_RE})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b"), "mon d"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH_RE})\b"), "d mon"),
    (re.compile(r"(?:大后天)"), "+3"),
    (re.compile(r"(?:后天|day after tomorrow)"), "+2"),
    (re.compile(r"(?:明天|明日|\btomorrow\b|\btmr\b|\btmrw\b|\btomorow\b)"), "+1"),
    (re.compile(r"(?:今天|今日|今晚|\btoday\b|\btonight\b)"), "+0"),
    (re.compile(r"\bin (\d{1,2}|a couple of|a few|two|three|four|five) days?\b"), "in n"),
    (re.compile(rf"{_NUM}天(?:后|之后|以后)"), "in n"),
    (re.compile(rf"下个?月{_NUM}[号日]"), "next month d"),
    (re.compile(rf"(?:这个月|本月){_NUM}[号日]"), "this month d"),
    (re.compile(r"(?:下个?月底|下个?月末|end of next month)"), "eonm"),
    (re.compile(r"(?:月底|月末|end of (?:the |this )?month|month end|month-end)"), "eom"),
    (re.compile(r"(?:下个?月初|beginning of next month|start of next month|early next month)"), "bonm"),
    (re.compile(r"(下周|下个星期|下星期|下礼拜|这周|本周|这个星期|周|星期|礼拜)([一二三四五六日天末])"), "zh wd"),
    (re.compile(rf"\b(?:(next|this|on|by|coming) )?({_WEEKDAY_EN_RE})\b"), "en wd"),
    (re.compile(r"\bthis weekend\b|\bweekend\b"), "weekend"),
    (re.compile(rf"(?<![\d月])(?<!礼拜)(?<!星期){_NUM}[号日](?!元)"), "d"),
    (re.compile(r"\b(?:the |on the |by the )(\d{1,2})(?:st|nd|rd|th)?\b|\b(\d{1,2})(?:st|nd|rd|th)\b"), "d en"),
]

_FEW = {"a couple of": 2, "a few": 3, "two": 2, "three": 3, "four": 4, "five": 5}


def find_date(text: str, today: date) -> tuple[date | None, Span | None]:
    """The first date the text names (earliest in the text), and where it is."""
    best: tuple[int, date, Span] | None = None
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            d = _date_of(m, kind, today)
            if d is not None:
                if best is None or m.start() < best[0]:
                    best = (m.start(), d, m.span())
                break
    return (best[1], best[2]) if best else (None, None)


def _date_of(m: re.Match[str], kind: str, today: date) -> date | None:
    g = m.groups()
    if kind == "ymd":
        return _safe(int(g[0]), int(g[1]), int(g[2]))
    if kind == "md":
        mo, d = zh_small_int(g[0]), zh_small_int(g[1])
        return _next_month_day(today, mo, d) if mo and d else None
    if kind == "m/d":
        mo, d = int(g[0]), int(g[1])
        if mo > 12 and d <= 12:
            mo, d = d, mo
        if g[2]:
            y = int(g[2]) + (2000 if len(g[2]) == 2 else 0)
            return _safe(y, mo, d)
        return _next_month_day(today, mo, d)
    if kind == "mon d":
        return _next_month_day(today, _MONTHS[g[0]], int(g[1]))
    if kind == "d mon":
        return _next_month_day(today, _MONTHS[g[1]], int(g[0]))
    if kind.startswith("+"):
        return today + timedelta(days=int(kind[1:]))
    if kind == "in n":
        n = _FEW.get(g[0]) or zh_small_int(g[0])
        return today + timedelta(days=n) if n is not None and n <= 60 else None
    if kind in ("next month d", "this month d"):
        day = zh_small_int(g[0])
        y, mo = today.year, today.month
        if kind == "next month d":
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        return _safe(y, mo, day) if day else None
    if kind == "eom":
        return _end_of_month(today)
    if kind == "eonm":
        return _end_of_month(today, 1)
    if kind == "bonm":
        return _end_of_month(today) + timedelta(days=1)
    if kind == "zh wd":
        week = "next" if g[0].startswith("下") else "this" if g[0] in ("这周", "本周", "这个星期") else ""
        wd = _weekday(today, _WEEKDAYS_ZH[g[1]], week)
        return wd if wd >= today else _weekday(today, _WEEKDAYS_ZH[g[1]], "")
    if kind == "en wd":
        week = "next" if g[0] == "next" else ""
        return _weekday(today, _WEEKDAYS_EN[g[1]], week)
    if kind == "weekend":
        return _weekday(today, 5, "")
    if kind == "d":
        day = zh_small_int(g[0])
        return _next_day_of_month(today, day) if day else None
    if kind == "d en":
        return _next_day_of_month(today, int(g[0] or g[1]))
    return None


# ---------------------------------------------------------------------------------------------
# Amounts

_AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
_CURRENCY_BEFORE = re.compile(rf"[$¥€£]\s?{_AMOUNT}|\b(?:rmb|usd|cny)\s?{_AMOUNT}")
_CURRENCY_AFTER = re.compile(rf"{_AMOUNT}\s?(?:元|块|rmb|yuan|dollars?|usd|bucks)")
_ZH_AMOUNT = re.compile(r"([零一二两三四五六七八九十百千万]+)\s?(元|块)?")
_BARE = re.compile(rf"(?<![\d.,:/-]){_AMOUNT}(?![\d.,:/%-]|\s?(?:am|pm|点|:|号|日|天|days?|st|nd|rd|th|月|年|个|次|hours?|h\b))")
_cn2an: Any = None


def _decimal(s: str) -> Decimal | None:
    try:
        d = Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None
    return d.quantize(Decimal("0.01")) if 0 < d < Decimal("100000000") else None


def _zh_amount(s: str) -> Decimal | None:
    global _cn2an
    if _cn2an is None:
        import cn2an

        _cn2an = cn2an
    try:
        return _decimal(str(_cn2an.cn2an(s, "smart")))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _free(span: Span, used: list[Span]) -> bool:
    return all(span[1] <= a or span[0] >= b for a, b in used)


def find_amount(text: str, used: list[Span]) -> Decimal | None:
    """The amount the text names: with a currency first, then Chinese numerals, then the first
    bare number that is not a date, a time or a count of days."""
    for pattern in (_CURRENCY_BEFORE, _CURRENCY_AFTER):
        for m in pattern.finditer(text):
            if _free(m.span(), used):
                value = next(g for g in m.groups() if g)
                return _decimal(value)
    for m in _ZH_AMOUNT.finditer(text):
        run = m.group(1)
        if _free(m.span(), used) and (m.group(2) or any(c in run for c in "百千万")) and run[0] not in "百千万":
            return _zh_amount(run)
    for m in _BARE.finditer(text):
        if _free(m.span(), used):
            return _decimal(m.group(1))
    return None


# ---------------------------------------------------------------------------------------------
# Times of day

_PARTS = [
    (re.compile(r"\bmorning\b|上午|早上|早晨|明早"), (time(8), time(12))),
    (re.compile(r"\bnoon\b|\blunch\b|中午"), (time(11, 30), time(13, 30))),
    (re.compile(r"\bafternoon\b|下午"), (time(12), time(18))),
    (re.compile(r"\bevening\b|\btonight\b|晚上|傍晚|今晚"), (time(18), time(21))),
]
_EN_TIME = re.compile(r"\b(after|before|by|around|at|from|between)?\s?(\d{1,2})(?::(\d{2}))?\s?(am|pm|a\.m|p\.m|o'clock)"
                      r"|\b(after|before|by|around|at|from)\s(\d{1,2})(?::(\d{2}))?\b(?!\s?(?:days?|st|nd|rd|th|号))")
_ZH_TIME = re.compile(rf"(上午|早上|中午|下午|晚上|傍晚)?{_NUM}点(半|\d{{1,2}}分?)?\s?(以后|之后|后|以前|之前|前|左右)?")
_RANGE_EN = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(?:am|pm)?\s?(?:-|to|and)\s?(\d{1,2})(?::(\d{2}))?\s?(am|pm)\b")
_RANGE_ZH = re.compile(rf"(上午|下午|晚上)?{_NUM}点\s?(?:到|至|-)\s?{_NUM}点")


def _hour(h: int, meridiem: str | None) -> int:
    if meridiem in ("pm", "p.m", "下午", "晚上", "傍晚") and h < 12:
        return h + 12
    if meridiem in ("am", "a.m") and h == 12:
        return 0
    if meridiem is None and 1 <= h <= 7:
        return h + 12                      # "call me at 3": business hours mean the afternoon
    return h


def _t(h: int, m: int = 0) -> time | None:
    return time(h, m) if 0 <= h <= 23 and 0 <= m <= 59 else None


def find_window(text: str) -> tuple[tuple[time, time] | None, list[Span]]:
    """The preferred time window: "after 6pm" -> (18:00, 23:59); "下午3点" -> (15:00, 16:00);
    "2-4pm" -> (14:00, 16:00); "morning" / "上午" -> (08:00, 12:00)."""
    m = _RANGE_EN.search(text)
    if m:
        a = _t(_hour(int(m.group(1)), m.group(5)), int(m.group(2) or 0))
        b = _t(_hour(int(m.group(3)), m.group(5)), int(m.group(4) or 0))
        if a and b and a < b:
            return (a, b), [m.span()]
    m = _RANGE_ZH.search(text)
    if m:
        h1, h2 = zh_small_int(m.group(2)), zh_small_int(m.group(3))
        if h1 is not None and h2 is not None:
            a, b = _t(_hour(h1, m.group(1))), _t(_hour(h2, m.group(1)))
            if a and b and a < b:
                return (a, b), [m.span()]
    m = _ZH_TIME.search(text)
    if m:
        h = zh_small_int(m.group(2))
        minute = 30 if m.group(3) == "半" else int(re.sub(r"\D", "", m.group(3) or "") or 0)
        point = _t(_hour(h, m.group(1)), minute) if h is not None else None
        if point:
            return _around(point, m.group(4)), [m.span()]
    m = _EN_TIME.search(text)
    if m:
        if m.group(2):
            qual, h, mi, mer = m.group(1), int(m.group(2)), int(m.group(3) or 0), m.group(4)
            mer = None if mer == "o'clock" else mer
        else:
            qual, h, mi, mer = m.group(5), int(m.group(6)), int(m.group(7) or 0), None
        point = _t(_hour(h, mer), mi)
        if point:
            return _around(point, qual), [m.span()]
    for pattern, window in _PARTS:
        m = pattern.search(text)
        if m:
            return window, [m.span()]
    return None, []


def _around(point: time, qualifier: str | None) -> tuple[time, time]:
    if qualifier in ("after", "from", "以后", "之后", "后"):
        return point, time(23, 59)
    if qualifier in ("before", "by", "以前", "之前", "前"):
        return time(0, 0), point
    end = min(point.hour + 1, 23)
    return point, time(end, point.minute if end > point.hour else 59)
