"""Hand-off at the end of the ladder (issue 16, part E): the case goes to a legal or agency partner,
then the loan is silent.

- `config.py`: the [handoff] section (partner, folder); the step is a ladder flag (`handoff = true`).
- `state.py`: the config table cfg_handoff; sql/handoff/state.sql (which loans are handed off as of
  an instant, read by the gate rule sql/policy/rules/handed_off.sql at plan and send time) and
  sql/handoff/record.sql (the `handoffs` table, written in the plan's record transaction).
- `recall.py`: an operator gives a case back (`loan-comms handoff recall`).
- `export.py`: the case files for the partner, each case exactly once (`loan-comms handoff export`).

Kept free of imports here: loan_comms.config imports the config model from this package.
"""
