"""loan-comms: a lender's borrower-communication lifecycle, run as Prefect flows over DuckDB.

The public, plain-Python API lives in the modules below; `tasks/` wraps them for Prefect and
`flows/` strings them into the daily runbook.
"""

__version__ = "0.1.0"
