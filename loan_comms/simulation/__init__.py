"""The simulator's borrowers: payments, replies, dialer outcomes and operator events, written as the
production files and ingested through the production code. SQL: sql/simulation/.
"""

from loan_comms.simulation.borrowers import BehaviourReport, draw_behaviour

__all__ = ["BehaviourReport", "draw_behaviour"]
