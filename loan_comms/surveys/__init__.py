"""Satisfaction surveys (issue 14).

- Programmes as config, planning through the day's plan, response tokens: config.py, planning.py,
  tokens.py (planning runs inside loan_comms.lifecycle.planner; SQL: sql/surveys/).
- Answers in, three ways, through one landing function (answers.py): an SMS reply that is a score
  (sms_scores.py, hooked into inbound/replies.py), the one-question web page (web.py,
  `loan-comms survey-server`), a pull from a survey service or a file drop (intake.py).
"""

from loan_comms.surveys.answers import AnswerReport, SurveyAnswer, land_answers, parse_score, record_answers
from loan_comms.surveys.config import PROGRAMMES, SCALES, Programme, Surveys
from loan_comms.surveys.intake import IntakeReport, SurveyPullError, ingest_survey_answers, pull_survey_answers
from loan_comms.surveys.tokens import TOKEN_KEY_ENV, attempt_id_for, token_for, token_key

__all__ = ["PROGRAMMES", "SCALES", "TOKEN_KEY_ENV", "AnswerReport", "IntakeReport", "Programme", "SurveyAnswer",
           "SurveyPullError", "Surveys", "attempt_id_for", "ingest_survey_answers", "land_answers", "parse_score",
           "pull_survey_answers", "record_answers", "token_for", "token_key"]
