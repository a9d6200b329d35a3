"""Prefect tasks: thin wrappers that open the database and call the plain functions in loan_comms.

Each task works on a whole day or a whole batch set, never on one loan or one message.
"""
