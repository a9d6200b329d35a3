"""Understanding what borrowers write (SMS replies, e-mail replies, agent notes), in zh-CN and en.

    understand(text, channel=..., received_at=...) -> Understanding(intents, review, ...)

The rules live in config/replies.toml (compliance reads and extends them); docs/replies.md explains
them and the libraries used (rjieba to segment Chinese, OpenCC for traditional characters, cn2an for
Chinese numerals).
"""

from loan_comms.understanding.classify import MAX_TEXT, understand
from loan_comms.understanding.model import INTENTS, Intent, Understanding
from loan_comms.understanding.normalize import language, normalize
from loan_comms.understanding.rules import Rules, load_rules, rules_for

__all__ = ["INTENTS", "MAX_TEXT", "Intent", "Rules", "Understanding", "language", "load_rules", "normalize",
           "rules_for", "understand"]
