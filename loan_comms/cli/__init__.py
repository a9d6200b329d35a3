"""The `loan-comms` command line. `root.py` holds the app and the day-running commands; each other
module is one command group (templates, delivery, audit, simulate); `common.py` the shared options;
`errors.py` how a failure is reported (one line, `--debug` for the traceback).
"""

from loan_comms.cli.root import _loud_delivery, _mount, app, main

__all__ = ["_loud_delivery", "_mount", "app", "main"]
