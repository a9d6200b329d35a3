"""A small field roster for the visit-plan cases: who covers which city, speaks what, works when."""

from __future__ import annotations

from pathlib import Path

from loan_comms.config import LifecycleConfig

FIELD_ROSTER = """
[calls]
default_team = "global"
visit_minutes = 90

[[teams]]
id = "global"

[[teams]]
id = "field"

[[routing]]
team = "field"
channels = ["visit"]

# Shanghai: a zh-CN pair with room for three visits; S2 starts at 10:00, so their slots start then.
[[agents]]
id = "S1"
team = "field"
languages = ["zh-CN"]
skills = ["field"]
capacity = 3
shift = ["09:00", "18:00"]
timezone = "Asia/Shanghai"
cities = ["Shanghai"]

[[agents]]
id = "S2"
team = "field"
languages = ["zh-CN"]
skills = ["field"]
capacity = 3
shift = ["10:00", "18:00"]
timezone = "Asia/Shanghai"
cities = ["Shanghai"]

# and an English-speaking pair with room for one visit a day
[[agents]]
id = "S3"
team = "field"
languages = ["en", "zh-CN"]
skills = ["field"]
capacity = 1
shift = ["09:00", "18:00"]
timezone = "Asia/Shanghai"
cities = ["Shanghai"]

[[agents]]
id = "S4"
team = "field"
languages = ["en"]
skills = ["field"]
capacity = 1
shift = ["09:00", "18:00"]
timezone = "Asia/Shanghai"
cities = ["Shanghai"]

# Beijing: afternoons only; one of the two speaks Chinese
[[agents]]
id = "BJ1"
team = "field"
languages = ["zh-CN"]
skills = ["field"]
capacity = 4
shift = ["13:00", "17:00"]
timezone = "Asia/Shanghai"
cities = ["Beijing"]

[[agents]]
id = "BJ2"
team = "field"
languages = ["en"]
skills = ["field"]
capacity = 4
shift = ["13:00", "17:00"]
timezone = "Asia/Shanghai"
cities = ["Beijing"]

# Chengdu: one field agent only, so never a pair
[[agents]]
id = "CD1"
team = "field"
languages = ["zh-CN"]
skills = ["field"]
capacity = 4
shift = ["09:00", "18:00"]
timezone = "Asia/Shanghai"
cities = ["Chengdu"]
"""


def with_roster(cfg: LifecycleConfig, folder: Path, text: str = FIELD_ROSTER) -> LifecycleConfig:
    """The shipped config with [calls] roster naming `text` written to folder/agents.toml."""
    path = folder / "agents.toml"
    path.write_text(text, encoding="utf-8")
    return cfg.model_copy(update={"calls": cfg.calls.model_copy(update={"roster": str(path)})})
