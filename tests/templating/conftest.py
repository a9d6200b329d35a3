"""Fixtures: the shipped config and library, and a throw-away copy of the library to break."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from loan_comms.paths import TEMPLATES_DIR
from loan_comms.templating import TemplateStore


@pytest.fixture(scope="session")
def shipped(cfg):
    return TemplateStore.load(TEMPLATES_DIR, cfg)


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """A copy of the shipped templates that a test may edit."""
    dest = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, dest)
    return dest


@pytest.fixture
def ctx() -> dict:
    return {
        "first_name": "Li", "full_name": "Li Na", "amount_due": Decimal("1234.50"), "currency": "CNY",
        "due_date": date(2026, 11, 26), "days_past_due": 0, "product": "personal_loan",
        "pay_link": "https://pay.example.com/l/LN1", "help_line": "400-800-1234",
        "survey_link": "https://survey.example.com/s/LN1", "loan_id_masked": "****0001",
        "promised_date": None, "language": "en",
        # repayment plans: what the planner passes a contact that carries no offer and no plan
        "plan_link": None, "plan_options": [], "arrears": None, "plan": None,
    }


def write(lib: Path, rel: str, text: str) -> Path:
    path = lib / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
