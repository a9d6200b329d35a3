"""Satisfaction surveys (issue 14). This branch (S2): answers in, three ways, through one landing
function (answers.py): an SMS reply that is a score (sms_scores.py, hooked into inbound/replies.py),
the one-question web page (web.py, `loan-comms survey-server`), a pull from a survey service or a
file drop (intake.py). SQL: sql/surveys/."""

from loan_comms.surveys.answers import (AnswerReport, SurveyAnswer, land_answers, parse_score, record_answers)
from loan_comms.surveys.intake import IntakeReport, SurveyPullError, ingest_survey_answers, pull_survey_answers

__all__ = ["AnswerReport", "IntakeReport", "SurveyAnswer", "SurveyPullError", "ingest_survey_answers",
           "land_answers", "parse_score", "pull_survey_answers", "record_answers"]
