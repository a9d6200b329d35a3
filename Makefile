# One entry point. `make demo` and `make test` work on a fresh machine with Python 3.11 and pip.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= data/demo.duckdb
LOANS  ?= 20000
DAYS   ?= 30
START  ?= 2026-11-01

.PHONY: env demo test bench lint-templates preview lock clean

env: $(STAMP)

# The venv is rebuilt whenever the lock or the project metadata changes.
$(STAMP): requirements-lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/loan-comms demo --db $(DB) --loans $(LOANS) --days $(DAYS) --start $(START)

# The type check first ([tool.mypy] in pyproject.toml): any mypy error fails the build before pytest.
test: $(STAMP)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

# The daily run at scale against the raw limits of the same work, in one process (bench/daily_run.py,
# issue 17): 100k and 1M loans by default (1M needs about 10 GB and several minutes). Choose with
# BENCH, e.g. `make bench BENCH="--loans 100000 --results"` (--results appends to bench/RESULTS.md).
BENCH ?=
bench: $(STAMP)
	$(BIN)/python bench/daily_run.py $(BENCH)

lint-templates: $(STAMP)
	$(BIN)/loan-comms templates lint

preview: $(STAMP)
	$(BIN)/loan-comms templates preview --out preview

# Re-resolve the lock from pyproject's pins (run after changing a dependency).
lock:
	rm -rf /tmp/loan-comms-lock && $(PYTHON) -m venv /tmp/loan-comms-lock
	/tmp/loan-comms-lock/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	/tmp/loan-comms-lock/bin/pip freeze --exclude-editable --exclude loan-comms > requirements-lock.txt

clean:
	rm -rf $(VENV) data preview

# The operations UI (docs/operations.md): a local Prefect server with every deployment and a worker.
.PHONY: ui ui-stop
ui: $(STAMP)
	scripts/ui-start.sh

ui-stop: $(STAMP)
	scripts/ui-stop.sh
