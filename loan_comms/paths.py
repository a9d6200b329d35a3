"""Where the repository's data files live, whatever the working directory."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
TEMPLATES_DIR = REPO_ROOT / "templates"
CONFIG_PATH = Path(os.environ.get("LOAN_COMMS_CONFIG", REPO_ROOT / "config" / "lifecycle.toml"))
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB = Path(os.environ.get("LOAN_COMMS_DB", DATA_DIR / "loan_comms.duckdb"))
