"""Satisfaction surveys and feedback analytics (issue 14).

- Programmes as config, planning through the day's plan, response tokens: config.py, planning.py,
  tokens.py (planning runs inside loan_comms.lifecycle.planner; SQL: sql/surveys/).
- Answers in, three ways, through one landing function (answers.py): an SMS reply that is a score
  (sms_scores.py, hooked into inbound/replies.py), the one-question web page (web.py,
  `loan-comms survey-server`), a pull from a survey service or a file drop (intake.py).
- Aggregation into DuckDB (aggregate.py), complaint themes from a transparent zh-CN / en dictionary
  (themes.py, config/feedback_themes.toml) and the self-contained HTML feedback report (report.py).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from loan_comms.surveys.config import PROGRAMMES, SCALES, Programme, Surveys
from loan_comms.surveys.tokens import TOKEN_KEY_ENV, attempt_id_for, token_for, token_key

if TYPE_CHECKING:
    from loan_comms.surveys.aggregate import TABLES, FeedbackSummary, Headline, aggregate, summary, tag_texts
    from loan_comms.surveys.answers import AnswerReport, SurveyAnswer, land_answers, parse_score, record_answers
    from loan_comms.surveys.intake import IntakeReport, SurveyPullError, ingest_survey_answers, pull_survey_answers
    from loan_comms.surveys.report import CHARTS, render_report, write_report
    from loan_comms.surveys.themes import THEMES_PATH, Theme, Themes, load_themes

# loan_comms.config imports loan_comms.surveys.config, which runs this __init__ while loan_comms.config
# is still loading; the modules below import loan_comms.config (directly or through inbound, lifecycle),
# so they are loaded on first use (PEP 562), not here.
_LAZY = {name: module for module, names in {
    "aggregate": ("TABLES", "FeedbackSummary", "Headline", "aggregate", "summary", "tag_texts"),
    "answers": ("AnswerReport", "SurveyAnswer", "land_answers", "parse_score", "record_answers"),
    "intake": ("IntakeReport", "SurveyPullError", "ingest_survey_answers", "pull_survey_answers"),
    "report": ("CHARTS", "render_report", "write_report"),
    "themes": ("THEMES_PATH", "Theme", "Themes", "load_themes"),
}.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"loan_comms.surveys.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["CHARTS", "PROGRAMMES", "SCALES", "TABLES", "THEMES_PATH", "TOKEN_KEY_ENV", "AnswerReport",
           "FeedbackSummary", "Headline", "IntakeReport", "Programme", "SurveyAnswer", "SurveyPullError", "Surveys",
           "Theme", "Themes", "aggregate", "attempt_id_for", "ingest_survey_answers", "land_answers", "load_themes",
           "parse_score", "pull_survey_answers", "record_answers", "render_report", "summary", "tag_texts",
           "token_for", "token_key", "write_report"]
