"""The `loan-comms` command line, one module per command group, mounted by `root.py`:

- `book.py`: generate, import           - `days.py`: run-day, run-days, demo
- `inbound.py`: ingest-*, record-events, receive-callbacks
- `delivery.py`: dispatch, fake-gateway  - `audit.py`: audit, trace
- `simulate.py`: simulate               - `templates.py`: the `templates` sub-app (lint, preview, versions)
- `reviews.py`: the `reviews` sub-app (list, resolve: the review queue of ambiguous replies)
- `handoff.py`: the `handoff` sub-app (export, recall: the cases handed to the legal or agency partner)
- `experiments.py`: the `experiments` sub-app (list, readout, guardrails: strategy experiments)

`common.py` declares the shared options once and holds the shared helpers; `errors.py` is the one
place a failure is reported (one line, `--debug` for the traceback).
"""

from loan_comms.cli.days import _loud_delivery
from loan_comms.cli.root import _mount, app, main

__all__ = ["_loud_delivery", "_mount", "app", "main"]
