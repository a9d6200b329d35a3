"""The simulator's borrowers: payments, replies, dialer outcomes and operator events, written as the
production files and ingested through the production code. SQL: sql/simulation/;
the words of SMS replies: phrases.py (phrases.toml); survey answers (SMS scores, e-mail survey
file drops with comments): survey_answers.py.
"""

from loan_comms.simulation.borrowers import BehaviourReport, draw_behaviour
from loan_comms.simulation.phrases import DRAWABLE, PhraseError, draw, promised_days
from loan_comms.simulation.survey_answers import SurveyAnswerReport, answer_surveys

__all__ = ["DRAWABLE", "BehaviourReport", "PhraseError", "SurveyAnswerReport", "answer_surveys", "draw",
           "draw_behaviour", "promised_days"]
