"""Satisfaction surveys (issue 14): programmes as config, planning through the day's plan, tokens.

Public API: the [surveys] config model (Surveys, Programme, PROGRAMMES, SCALES) and the response
token (token_for, token_key). Planning runs inside loan_comms.lifecycle.planner (sql/surveys/).
"""

from loan_comms.surveys.config import PROGRAMMES, SCALES, Programme, Surveys
from loan_comms.surveys.tokens import TOKEN_KEY_ENV, attempt_id_for, token_for, token_key

__all__ = ["PROGRAMMES", "SCALES", "TOKEN_KEY_ENV", "Programme", "Surveys", "attempt_id_for", "token_for",
           "token_key"]
