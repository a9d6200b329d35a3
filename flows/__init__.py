"""Operator-facing Prefect flows, one module each, reading like the daily runbook."""
