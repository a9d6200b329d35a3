"""Field visits (issue 16, part D): the day's visit plan and the field sheet.

- `plan`: inside the day's plan, every visit the policy let through goes to a pair of field agents
  with a slot, grouped by city then district, or is carried with its reason (visit_assignments).
- `sheet`: the plan of a day for people: printed masked by city, district and pair, and one CSV
  per pair for the field team (`loan-comms visit-plan`, the build-visit-plan flow).

A package of its own, not part of loan_comms/calls: visits have their own unit (a pair, a round in
one area, a slot of [calls] visit_minutes), their own records (loan_comms/inbound/visits.py) and
their own audit rules; they share only the roster (loan_comms/calls/roster.py) and agent_days.
"""
