from __future__ import annotations

import pytest

from loan_comms import db
from loan_comms.config import load_config
from tests.builders import Book, EchoRenderer


@pytest.fixture
def cfg():
    return load_config()


@pytest.fixture
def book():
    con = db.connect()
    yield Book(con)
    con.close()


@pytest.fixture
def renderer():
    return EchoRenderer()
