"""The simulator's borrowers: payments, replies, dialer outcomes and operator events, written as the
production files and ingested through the production code. SQL: sql/simulation/;
the words of SMS replies: phrases.py (phrases.toml).
"""

from loan_comms.simulation.borrowers import BehaviourReport, draw_behaviour
from loan_comms.simulation.phrases import DRAWABLE, PhraseError, draw, promised_days

__all__ = ["DRAWABLE", "BehaviourReport", "PhraseError", "draw", "draw_behaviour", "promised_days"]
