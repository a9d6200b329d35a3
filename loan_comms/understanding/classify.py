"""STAND-IN (replaced by helper A): whole-message keywords only."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from loan_comms.understanding.model import Intent, Understanding
from loan_comms.understanding.rules import Rules, load_rules

_OPT_OUT = {"STOP", "UNSUBSCRIBE", "退订", "TD", "CANCEL", "QUIT", "END", "REVOKE", "OPT OUT"}
_ALL = {"STOP ALL", "STOPALL", "别再联系我"}
_OPT_IN = {"START", "UNSTOP"}


def understand(text: str, *, channel: str, received_at: datetime, timezone: str | None = None,
               rules: Rules | None = None, given: str | None = None) -> Understanding:
    rules = rules or load_rules()
    t = " ".join(unicodedata.normalize("NFKC", text or "").upper().split()).rstrip(".!?。~ ")
    lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in t) else ("en" if t else "unknown")
    found: list[Intent] = []
    review: list[Intent] = []
    if given == "STOP" or t in _OPT_OUT:
        found.append(Intent("opt_out", 1.0, "provider" if given else "stub", (channel,), "this"))
    elif t in _ALL:
        found.append(Intent("opt_out", 1.0, "stub", rules.all_channels, "all"))
    elif given == "START" or t in _OPT_IN:
        found.append(Intent("opt_in", 1.0, "provider" if given else "stub", (channel,), "this"))
    elif t == "HARDSHIP" or "困难" in t:
        found.append(Intent("hardship", 1.0, "stub"))
    elif t == "DISPUTE" or "异议" in t:
        found.append(Intent("dispute", 1.0, "stub", detail={"reason": "not_mine"}))
    elif t == "WRONG NUMBER":
        found.append(Intent("wrong_number", 1.0, "stub"))
    elif "MAYBE STOP" in t:
        review.append(Intent("opt_out", 0.5, "stub", (channel,), "this"))
    return Understanding(tuple(found), tuple(review), lang, t, rules.version)
