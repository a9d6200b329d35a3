"""Whether an SMS reply is a pick from the plan menu ("reply 1 for 3 months of ¥420, 2 for ...").

Kept apart from sms_menu.py (which decides whether a pick lands) because it is pure: a table of
texts in the tests says what is a choice. The WHOLE text must be the choice, so a number inside a
sentence ("I will pay 1000 tomorrow", "第二天还", "2 days") is never read as one:

    "1", "１", " 2 ", "选1", "回复1", "1号", "我选2", "第二个", "二", "选第三个方案"
    "option 2", "plan 2", "I choose 2", "2 please", "#3", "no. 2", "number 1", "I'll take 2"

Digits 1-9 only (a menu has at most 9 lines, config sms_menu_options <= 9); full-width digits and
trailing punctuation are normalised away (NFKC). 两 is left out on purpose: "两个" reads as "both".
"""

from __future__ import annotations

import re
import unicodedata

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?P<n>[1-9]|[一二三四五六七八九])"
_ZH = re.compile(rf"""(?:我)?(?:要|想要|想)?(?:选择?|回复?|就)?(?:第)?\s*{_NUM}\s*
                      (?:号|个|项|种)?(?:方案|计划|选项)?(?:吧|好了|谢谢)?""", re.X)
_EN = re.compile(rf"""(?:(?:i\s*(?:'ll|will|would\s+like\s+to|want\s+to|'d\s+like\s+to)?\s*
                          (?:choose|pick|take|select|go\s+(?:for|with)|want|like)\s+)?
                       (?:(?:option|plan|choice|number|no\.?|\#)\s*)?)
                    {_NUM}
                    (?:\s*(?:please|pls|thanks|thank\s+you|thx))?""", re.X)
_END = re.compile(r"[\s。.!！~～,，]*$")


def menu_choice(text: str | None) -> int | None:
    """The menu number 1-9 when the whole text picks one, else None."""
    if not text:
        return None
    norm = _END.sub("", unicodedata.normalize("NFKC", text).strip().lower())
    for pattern in (_ZH, _EN):
        m = pattern.fullmatch(norm)
        if m is not None:
            n = m["n"]
            return _CN[n] if n in _CN else int(n)
    return None
