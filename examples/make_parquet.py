"""Rebuild examples/loan_book.parquet: the rows of loan_book.csv that import cleanly, with real
Parquet types (DATE, DECIMAL, TIMESTAMP WITH TIME ZONE, INTEGER) to show typed columns import too.

    .venv/bin/python examples/make_parquet.py
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from loan_comms import db
from loan_comms.book.importer import import_book

HERE = Path(__file__).resolve().parent


def main() -> None:
    con = db.connect()
    import_book(con, HERE / "loan_book.csv", now=datetime(2026, 11, 1, tzinfo=UTC))
    bad = [r[0] for r in con.execute("SELECT source_line FROM import_quarantine").fetchall()]
    con.execute("""
        CREATE TEMP TABLE src AS
        SELECT row_number() OVER () + 1 AS line, *
        FROM read_csv($path, all_varchar = true, header = true, delim = ',', quote = '"')
    """, {"path": str(HERE / "loan_book.csv")})
    con.execute("""
        COPY (
            SELECT borrower_id, full_name, first_name, phone_e164, email, language, timezone,
                   jurisdiction, segment, loan_id, product, principal::DECIMAL(18, 2) AS principal,
                   currency, opened_on::DATE AS opened_on, installment_no::INTEGER AS installment_no,
                   due_date::DATE AS due_date, amount_due::DECIMAL(18, 2) AS amount_due,
                   amount_paid::DECIMAL(18, 2) AS amount_paid, paid_at::TIMESTAMPTZ AS paid_at
            FROM src WHERE NOT list_contains($bad, line) ORDER BY line
        ) TO '""" + str(HERE / "loan_book.parquet").replace("'", "''") + "' (FORMAT parquet)",
        {"bad": bad})
    print(f"wrote {HERE / 'loan_book.parquet'} without lines {bad}")


if __name__ == "__main__":
    main()
