"""Survey planning inside the day's plan: programmes -> survey candidates -> the same gate and caps.

`propose` runs in planner.decide after the other planners: each enabled programme's
sql/surveys/wanted_<programme>.sql names who it would ask and why, sql/surveys/candidates.sql
samples, keeps one survey per borrower per day and adds them to candidates (purpose 'survey').
`SurveyLinks` gives a planned survey its token (tokens.py) when it is rendered, and the
invitation is recorded with the contact (sql/surveys/record_invitations.sql).
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.surveys.tokens import attempt_id_for, token_for, token_key

log = logging.getLogger("loan_comms.surveys")

_WANTED = pa.schema([("programme", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()),
                     ("trigger_attempt_id", pa.string()), ("team", pa.string()), ("sample_key", pa.string())])
_PROGRAMMES = pa.schema([("programme", pa.string()), ("scale", pa.string()), ("channel", pa.string()),
                         ("template", pa.string()), ("delay_hours", pa.int32()), ("delay_days", pa.int32()),
                         ("sample_rate", pa.float64()), ("priority", pa.int32())])


def register_programmes(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig) -> None:
    """Temp table cfg_survey_programmes: one row per enabled programme."""
    rows = [dict(programme=name, scale=p.scale, channel=p.channel, template=p.template, delay_hours=p.delay_hours,
                 delay_days=p.delay_days, sample_rate=p.sample_rate, priority=p.priority)
            for name, p in cfg.surveys.enabled().items()]
    db.temp_table(con, "cfg_survey_programmes", pa.Table.from_pylist(rows, schema=_PROGRAMMES))


def propose(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, params: Mapping[str, Any]) -> None:
    """Add the day's surveys to temp table candidates and fill temp table survey_candidates.

    Needs decide's state ($as_of, $now, installment_state, loan_state, day_episodes, payment_events,
    cfg_steps). Writes nothing to the database."""
    register_programmes(con, cfg)
    db.temp_table(con, "survey_wanted", _WANTED.empty_table())
    for name, programme in cfg.surveys.enabled().items():
        text, used = db.bound(f"surveys/wanted_{name}", {**params, "delay_hours": programme.delay_hours,
                                                         "delay_days": programme.delay_days})
        con.execute("INSERT INTO survey_wanted SELECT $programme, w.borrower_id, w.loan_id, w.trigger_attempt_id, "
                    f"w.team, w.sample_key FROM (\n{text.rstrip().rstrip(';')}\n) AS w", {**used, "programme": name})
    db.run(con, "surveys/candidates", params)
    db.run(con, "surveys/add_candidates", params)


class SurveyLinks:
    """The survey link of a planned contact: [general] survey_link_base + its token. The key is
    read once, on the first survey (a plan without surveys never needs it).

    `available()` checks the key before anything is rendered: a missing key (a real provider and no
    LOAN_COMMS_SURVEY_TOKEN_KEY) must cost the day its surveys only, never its reminders and
    collection contacts, so the planner marks the surveys failed with MISSING_KEY and logs one
    warning instead of letting MissingSecret end the whole plan."""

    MISSING_KEY = "survey token key missing"

    def __init__(self, cfg: LifecycleConfig) -> None:
        self._cfg = cfg
        self._key: bytes | None = None
        self._missing = False

    def available(self) -> bool:
        """Whether survey tokens can be made; reads the key once, warns once (no secret in the line)."""
        if self._key is None and not self._missing:
            from loan_comms.delivery.providers.secrets import MissingSecret

            try:
                self._key = token_key(self._cfg)
            except MissingSecret as exc:
                self._missing = True
                log.warning("%s: the day's surveys are not sent (marked failed); everything else is "
                            "planned as usual", exc)
        return self._key is not None

    def token(self, idempotency_key: str) -> str:
        if self._key is None:
            self._key = token_key(self._cfg)
        return token_for(self._key, attempt_id_for(idempotency_key))
