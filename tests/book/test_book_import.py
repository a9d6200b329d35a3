"""Loan-book import: what an operator sees when a core-banking export is good, bad or re-sent."""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from loan_comms import db
from loan_comms.book.importer import COLUMNS, BookFileError, import_book

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def row(**over: str) -> dict[str, str]:
    base = {
        "borrower_id": "B1", "full_name": "Wang Wei", "first_name": "", "phone_e164": "+8613812345678",
        "email": "wang.wei@example.com", "language": "zh-CN", "timezone": "Asia/Shanghai",
        "jurisdiction": "cn", "segment": "consumer", "loan_id": "L1", "product": "personal_loan",
        "principal": "3000.00", "currency": "CNY", "opened_on": "2026-09-15", "installment_no": "1",
        "due_date": "2026-10-15", "amount_due": "1030.00", "amount_paid": "", "paid_at": "",
    }
    base.update(over)
    return base


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def three(loan: str = "L1", borrower: str = "B1", **over: str) -> list[dict[str, str]]:
    """A 3-installment loan; `over` applies to every row."""
    return [row(loan_id=loan, borrower_id=borrower, installment_no=str(n), due_date=f"2026-{9 + n}-15", **over)
            for n in (1, 2, 3)]


def quarantine(con) -> list[dict]:
    cur = con.execute("SELECT source_line, entity, record_id, reason, raw FROM import_quarantine ORDER BY source_line")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def snapshot(con) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("borrowers", "loans", "installments", "payment_feed", "import_quarantine")}


# --- the shipped example -------------------------------------------------------------------------

def test_example_file_loads_good_rows_and_quarantines_the_bad_ones_with_line_and_reason(con):
    report = import_book(con, EXAMPLES / "loan_book.csv", now=NOW)
    assert (report.rows_read, report.rows_loaded) == (22, 17)
    assert (report.borrowers_new, report.loans_new, report.installments_new) == (5, 5, 17)
    q = {r["source_line"]: r for r in quarantine(con)}
    assert sorted(q) == [10, 16, 18, 19, 20]
    assert q[10]["record_id"] == "L002#3" and "negative amount_due" in q[10]["reason"]
    assert q[16]["record_id"] == "L004#3" and q[16]["reason"] == "missing due_date"
    assert q[18]["entity"] == "borrower" and q[18]["record_id"] == "B005" and "malformed phone" in q[18]["reason"]
    assert q[19]["reason"].startswith("borrower B005 quarantined: malformed phone")
    assert "unknown IANA timezone 'Asia/Shangai'" in q[20]["reason"]
    assert report.quarantined == {"negative_amount": 1, "missing_due_date": 1, "malformed_phone": 1,
                                  "borrower_quarantined": 1, "unknown_timezone": 1}
    # the masked phone is in the reason, the real one only in raw
    assert "+86123" not in q[18]["reason"] and "+86123" in q[18]["raw"]
    text = str(report)
    assert "22 rows read" in text and "malformed_phone 1" in text
    assert "+86" not in text and "@" not in text and "王" not in text


def test_parquet_import_loads_the_same_book_as_the_csv(con, tmp_path):
    import_book(con, EXAMPLES / "loan_book.csv", now=NOW)
    from_csv = {t: v for t, v in snapshot(con).items() if t != "import_quarantine"}
    other = db.connect()
    report = import_book(other, EXAMPLES / "loan_book.parquet", now=NOW)
    assert report.rows_read == report.rows_loaded == 17 and report.quarantined == {}
    from_parquet = {t: v for t, v in snapshot(other).items() if t != "import_quarantine"}
    assert from_parquet == from_csv


def test_reimporting_the_same_file_changes_nothing(con):
    import_book(con, EXAMPLES / "loan_book.csv", now=NOW)
    before = snapshot(con)
    again = import_book(con, EXAMPLES / "loan_book.csv", now=datetime(2026, 11, 2, tzinfo=UTC))
    assert snapshot(con) == before
    assert (again.borrowers_new, again.borrowers_updated, again.loans_new, again.loans_updated,
            again.installments_new, again.installments_updated, again.payments_new,
            again.quarantine_rows_new) == (0,) * 8
    assert again.rows_quarantined == 5  # still reported, not stored twice


# --- one bad-row kind at a time -----------------------------------------------------------------

BAD = [
    ({"due_date": ""}, "missing_due_date", "missing due_date", "installment"),
    ({"due_date": "15/10/2026"}, "unparseable_date", "unparseable due_date '15/10/2026'", "installment"),
    ({"amount_due": "-10.00"}, "negative_amount", "negative amount_due -10.00", "installment"),
    ({"amount_due": "1,030.00"}, "non_numeric_amount", "amount_due '1,030.00' is not a number", "installment"),
    ({"amount_paid": "abc"}, "non_numeric_amount", "amount_paid 'abc' is not a number", "installment"),
    ({"amount_paid": "-1"}, "negative_amount", "negative amount_paid -1", "installment"),
    ({"paid_at": "yesterday"}, "unparseable_date", "unparseable paid_at 'yesterday'", "installment"),
    ({"installment_no": "first"}, "bad_installment_no", "installment_no 'first'", "installment"),
    ({"principal": "lots"}, "non_numeric_amount", "principal 'lots' is not a number", "loan"),
    ({"principal": "-5"}, "negative_amount", "negative principal -5", "loan"),
    ({"opened_on": "2026-02-30"}, "unparseable_date", "unparseable opened_on '2026-02-30'", "loan"),
    ({"currency": "RMB"}, "unknown_currency", "unknown currency 'RMB'", "loan"),
    ({"product": ""}, "missing_product", "missing product", "loan"),
    ({"timezone": "Asia/Beijing"}, "unknown_timezone", "unknown IANA timezone 'Asia/Beijing'", "borrower"),
    ({"timezone": "CST"}, "unknown_timezone", "unknown IANA timezone 'CST'", "borrower"),
    ({"timezone": "+08:00"}, "unknown_timezone", "unknown IANA timezone '+08:00'", "borrower"),
    ({"phone_e164": "13812345678"}, "malformed_phone", "must start with +", "borrower"),
    ({"phone_e164": "+861381234"}, "malformed_phone", "not a valid number", "borrower"),
    ({"phone_e164": "call me"}, "malformed_phone", "malformed phone", "borrower"),
    ({"email": "wang.wei at example.com"}, "malformed_email", "malformed email w***", "borrower"),
    ({"email": "wang@localhost"}, "malformed_email", "malformed email", "borrower"),
    ({"language": "fr"}, "unknown_language", "language 'fr' is not zh-CN or en", "borrower"),
    ({"language": ""}, "missing_language", "missing language", "borrower"),
    ({"full_name": " "}, "missing_full_name", "missing full_name", "borrower"),
    ({"jurisdiction": "eu"}, "unknown_jurisdiction", "jurisdiction 'eu'", "borrower"),
]


@pytest.mark.parametrize("over,code,reason,entity", BAD, ids=[b[1] + ":" + next(iter(b[0])) for b in BAD])
def test_each_bad_value_is_quarantined_with_its_reason_and_line(con, tmp_path, over, code, reason, entity):
    rows = [row(borrower_id="B0", loan_id="L0", phone_e164="+8613900000000", email="")]  # a good neighbour
    rows.append(row(**over))
    report = import_book(con, write_csv(tmp_path / "book.csv", rows), now=NOW)
    q = quarantine(con)
    assert len(q) == 1, q
    assert q[0]["source_line"] == 3
    assert reason in q[0]["reason"]
    assert q[0]["entity"] == entity
    assert report.quarantined == {code: 1}
    assert report.rows_loaded == 1
    assert count(con, "installments") == 1
    assert con.execute("SELECT loan_id FROM installments").fetchone()[0] == "L0"


def test_a_bad_borrower_takes_all_its_loans_and_installments_with_it(con, tmp_path):
    rows = three("L1", "B1", email="not-an-email") + three("L2", "B1", email="not-an-email") + three("L3", "B3")
    report = import_book(con, write_csv(tmp_path / "b.csv", rows), now=NOW)
    q = quarantine(con)
    assert [r["source_line"] for r in q] == [2, 3, 4, 5, 6, 7]
    assert q[0]["entity"] == "borrower" and q[0]["reason"].startswith("malformed email")
    for r in q[1:]:
        assert r["entity"] == "installment"
        assert r["reason"].startswith("borrower B1 quarantined: malformed email n***")
        assert "(line 2)" in r["reason"]
    assert report.quarantined == {"malformed_email": 1, "borrower_quarantined": 5}
    assert con.execute("SELECT list(borrower_id) FROM borrowers").fetchone()[0] == ["B3"]
    assert con.execute("SELECT list(DISTINCT loan_id) FROM installments").fetchone()[0] == ["L3"]


def test_a_bad_loan_takes_its_installments_but_not_its_borrower(con, tmp_path):
    rows = three("L1", "B1", currency="XXY") + three("L2", "B1")
    import_book(con, write_csv(tmp_path / "l.csv", rows), now=NOW)
    q = quarantine(con)
    assert [(r["source_line"], r["entity"]) for r in q] == [(2, "loan"), (3, "installment"), (4, "installment")]
    assert q[1]["reason"].startswith("loan L1 quarantined: unknown currency 'XXY'")
    assert count(con, "borrowers") == 1
    assert con.execute("SELECT list(loan_id) FROM loans").fetchone()[0] == ["L2"]


def test_a_borrower_whose_attributes_differ_between_lines_is_quarantined(con, tmp_path):
    rows = three("L1", "B1")
    rows[2]["phone_e164"] = "+8613900001111"
    import_book(con, write_csv(tmp_path / "c.csv", rows), now=NOW)
    q = quarantine(con)
    assert len(q) == 3
    assert q[0]["entity"] == "borrower"
    assert q[0]["reason"] == "borrower B1 has different phone_e164 on lines 2, 3, 4"
    assert q[2]["reason"].startswith("borrower B1 quarantined: borrower B1 has different phone_e164")
    assert count(con, "borrowers") == 0


def test_a_loan_belonging_to_two_borrowers_is_quarantined(con, tmp_path):
    rows = three("L1", "B1")
    rows[1]["borrower_id"] = "B2"
    rows[1]["phone_e164"] = "+8613900002222"
    report = import_book(con, write_csv(tmp_path / "t.csv", rows), now=NOW)
    q = quarantine(con)
    assert [r["source_line"] for r in q] == [2, 3, 4]
    assert q[0]["reason"] == "loan L1 belongs to more than one borrower (B1, B2)"
    assert "loan_two_borrowers" in report.quarantined
    assert count(con, "loans") == 0 and count(con, "installments") == 0
    assert count(con, "borrowers") == 2   # the borrowers themselves are fine


def test_the_same_installment_twice(con, tmp_path):
    same = three("L1", "B1") + [row(installment_no="2", due_date="2026-11-15")]
    import_book(con, write_csv(tmp_path / "d1.csv", same), now=NOW)
    q = quarantine(con)
    assert [(r["source_line"], r["reason"]) for r in q] == [(5, "installment L1#2 repeats line 3")]
    assert count(con, "installments") == 3

    other = db.connect()
    differ = three("L1", "B1") + [row(installment_no="2", due_date="2026-11-15", amount_due="999.00")]
    import_book(other, write_csv(tmp_path / "d2.csv", differ), now=NOW)
    q = quarantine(other)
    assert [r["source_line"] for r in q] == [3, 5]
    assert all("appears on lines 3, 5 with different values" in r["reason"] for r in q)
    assert other.execute("SELECT list(installment_no ORDER BY 1) FROM installments").fetchone()[0] == [1, 3]


def test_a_loan_cannot_move_to_another_borrower_in_a_later_export(con, tmp_path):
    import_book(con, write_csv(tmp_path / "a.csv", three("L1", "B1")), now=NOW)
    moved = three("L1", "B2", phone_e164="+8613900003333")
    import_book(con, write_csv(tmp_path / "b.csv", moved), now=NOW)
    q = quarantine(con)
    assert len(q) == 3 and q[0]["reason"] == "loan L1 already belongs to borrower B1, not B2"
    assert con.execute("SELECT borrower_id FROM loans").fetchone()[0] == "B1"


# --- later exports, payments ----------------------------------------------------------------------

def test_a_later_export_updates_what_changed(con, tmp_path):
    import_book(con, write_csv(tmp_path / "d1.csv", three()), now=NOW)
    later = three(phone_e164="+86 139-0000-4444", email="new@example.com")
    later[2]["amount_due"] = "1040.00"
    later.append(row(installment_no="4", due_date="2027-01-15"))
    for r in later:
        r.update(phone_e164="+86 139-0000-4444", email="new@example.com")
    report = import_book(con, write_csv(tmp_path / "d2.csv", later), now=NOW)
    assert (report.borrowers_new, report.borrowers_updated) == (0, 1)
    assert (report.installments_new, report.installments_updated) == (1, 1)
    assert con.execute("SELECT phone_e164, email FROM borrowers").fetchone() == ("+8613900004444", "new@example.com")
    assert con.execute("SELECT amount_due FROM installments WHERE installment_no = 3").fetchone()[0] == Decimal("1040.00")


def test_paid_amounts_become_payment_feed_rows_not_installment_updates(con, tmp_path):
    rows = three()
    rows[0].update(amount_paid="1030.00", paid_at="2026-10-14T21:00:00+08:00")
    rows[1].update(amount_paid="500")
    import_book(con, write_csv(tmp_path / "p1.csv", rows), now=NOW)
    feed = con.execute("SELECT payment_id, amount, paid_at, source FROM payment_feed ORDER BY 1").fetchall()
    assert feed == [("import:L1:1", Decimal("1030.00"), datetime(2026, 10, 14, 13, 0, tzinfo=UTC), "import"),
                    ("import:L1:2", Decimal("500.00"), NOW, "import")]
    assert con.execute("SELECT sum(amount_paid), count(paid_at) FROM installments").fetchone() == (Decimal("0.00"), 0)

    # the next export shows installment 2 fully paid: only the difference is fed
    rows[1].update(amount_paid="1030.00", paid_at="2026-11-10T10:00:00+08:00")
    report = import_book(con, write_csv(tmp_path / "p2.csv", rows), now=NOW)
    assert report.payments_new == 1
    assert con.execute("SELECT amount FROM payment_feed WHERE payment_id = 'import:L1:2:2'").fetchone()[0] == Decimal("530.00")
    assert con.execute("SELECT sum(amount) FROM payment_feed").fetchone()[0] == Decimal("2060.00")


# --- the file itself ------------------------------------------------------------------------------

def test_line_numbers_count_blank_lines_and_quoted_newlines(con, tmp_path):
    p = tmp_path / "lines.csv"
    good = write_csv(tmp_path / "tmp.csv", [row(full_name="Wang\nWei"), row(full_name="Wang\nWei", installment_no="2", due_date="")])
    text = good.read_text(encoding="utf-8").replace("\r\n", "\n")
    header, rest = text.split("\n", 1)
    p.write_text(header + "\n\n" + rest, encoding="utf-8")
    # line 1 header, line 2 blank, lines 3-4 the first record (quoted newline), line 5 the bad one
    import_book(con, p, now=NOW)
    assert [r["source_line"] for r in quarantine(con)] == [5]


def test_a_line_with_the_wrong_number_of_fields_is_quarantined_alone(con, tmp_path):
    p = write_csv(tmp_path / "f.csv", three())
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + ",surplus"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_book(con, p, now=NOW)
    q = quarantine(con)
    n = len(COLUMNS)  # the file has every known column (address_timezone included)
    assert [(r["source_line"], r["reason"]) for r in q] == [(3, f"line has {n + 1} fields, the header has {n}")]
    assert report.quarantined == {"malformed_line": 1} and report.rows_loaded == 2


def test_invalid_utf8_is_quarantined_by_line(con, tmp_path):
    p = write_csv(tmp_path / "u.csv", three())
    data = p.read_bytes().replace(b"Wang Wei", b"Wang W\xe9i", 1)
    p.write_bytes(data)
    import_book(con, p, now=NOW)
    q = quarantine(con)
    assert q[0]["source_line"] == 2 and q[0]["reason"] == "line is not valid UTF-8"


def test_header_case_bom_extra_columns_and_gzip_are_accepted(con, tmp_path):
    p = tmp_path / "b.csv"
    cols = [c.upper() for c in COLUMNS] + ["branch"]
    rows = [{c.upper(): v for c, v in r.items()} | {"branch": "SH-01"} for r in three()]
    with p.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    gz = tmp_path / "b.csv.gz"
    gz.write_bytes(gzip.compress(p.read_bytes()))
    report = import_book(con, gz, now=NOW)
    assert report.rows_loaded == 3 and report.ignored_columns == ["branch"]


def test_optional_columns_may_be_absent(con, tmp_path):
    required = ("borrower_id", "full_name", "phone_e164", "language", "timezone", "loan_id", "product",
                "principal", "currency", "installment_no", "due_date", "amount_due")
    report = import_book(con, write_csv(tmp_path / "min.csv", three(language="en", full_name="Emily Clarke"), required), now=NOW)
    assert report.rows_loaded == 3
    assert con.execute("SELECT first_name, jurisdiction, segment, email FROM borrowers").fetchone() == \
        ("Emily", "default", "consumer", None)
    assert con.execute("SELECT opened_on FROM loans").fetchone()[0] is None


def test_missing_required_columns_are_named(con, tmp_path):
    cols = tuple(c for c in COLUMNS if c not in ("due_date", "timezone"))
    p = write_csv(tmp_path / "m.csv", three(), cols)
    with pytest.raises(BookFileError, match=r"missing required column\(s\): timezone, due_date"):
        import_book(con, p, now=NOW)
    assert count(con, "import_quarantine") == 0


def test_missing_parquet_columns_are_named(con, tmp_path):
    p = tmp_path / "m.parquet"
    con.execute(f"COPY (SELECT 'B1' AS borrower_id, DATE '2026-01-01' AS due_date) TO '{p}' (FORMAT parquet)")
    with pytest.raises(BookFileError, match="missing required column.*full_name"):
        import_book(con, p, now=NOW)


@pytest.mark.parametrize("name,content,message", [
    ("book.xlsx", b"x", "unsupported file type '.xlsx'"),
    ("nothing.csv", None, "no such file"),
    ("empty.csv", b"", "empty file"),
    ("broken.parquet", b"not parquet at all", "not a readable Parquet file"),
])
def test_files_that_cannot_be_read_raise_a_clear_error(con, tmp_path, name, content, message):
    p = tmp_path / name
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(BookFileError, match=message):
        import_book(con, p, now=NOW)


def test_a_generated_book_round_trips_through_the_import_format(tmp_path):
    from loan_comms.book.synthetic import generate_book, write_book_file

    src = db.connect()
    generate_book(src, loans=300, seed=3, start=date(2026, 11, 1))
    as_of = datetime(2026, 11, 1, tzinfo=UTC)
    n = write_book_file(src, tmp_path / "book.parquet", as_of=as_of)
    write_book_file(src, tmp_path / "book.csv", as_of=as_of)
    for name in ("book.parquet", "book.csv"):
        dst = db.connect()
        report = import_book(dst, tmp_path / name, now=as_of)
        assert report.rows_read == report.rows_loaded == n, str(report)
        for table, cols in (("borrowers", "borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction, segment"),
                            ("loans", "loan_id, borrower_id, product, principal, currency, opened_on"),
                            ("installments", "loan_id, installment_no, due_date, amount_due")):
            q = f"SELECT {cols} FROM {table} ORDER BY ALL"
            assert dst.execute(q).fetchall() == src.execute(q).fetchall(), (name, table)
        # what was paid by as_of arrives as import payments of the same total per loan
        q_src = "SELECT loan_id, sum(amount) FROM payment_feed WHERE paid_at <= $t GROUP BY 1 ORDER BY 1"
        paid_src = dict(src.execute(q_src, {"t": as_of}).fetchall())
        paid_dst = dict(dst.execute("SELECT loan_id, sum(amount) FROM payment_feed GROUP BY 1").fetchall())
        for loan, total in paid_dst.items():
            assert total <= paid_src[loan]


# --- validation helpers others reuse --------------------------------------------------------------

def test_validation_helpers():
    from loan_comms.book import validation as v

    assert v.normalise_phone("+86 138-1234-5678") == ("+8613812345678", None)
    assert v.is_valid_e164("+8613812345678") and not v.is_valid_e164("+86 138 1234 5678")
    assert not v.is_valid_e164("13812345678") and not v.is_valid_e164(None)
    assert v.phone_problem("") is None and "must start with +" in v.phone_problem("13812345678")
    assert v.mask_phone("+8613812345678") == "+86*******5678"
    assert v.mask_email("wang.wei@example.com") == "w***@example.com"
    assert v.email_problem("a@b.co") is None and v.email_problem("a@b") and v.email_problem("a b@c.com")
    assert v.timezone_problem("Asia/Shanghai") is None and v.timezone_problem("UTC") is None
    assert v.timezone_problem("Asia/Shangai") and v.timezone_problem("PRC") and v.timezone_problem("")
    assert v.normalise_language("ZH-cn") == "zh-CN" and v.language_problem("fr")
    assert v.currency_problem("cny") is None and v.currency_problem("RMB")
    checked = v.check_phones(["+8613812345678", "+8613812345678", "x", ""])
    assert set(checked) == {"+8613812345678", "x"} and checked["x"][1]


def test_a_bad_later_export_keeps_what_the_database_had(con, tmp_path):
    import_book(con, write_csv(tmp_path / "a.csv", three()), now=NOW)
    before = snapshot(con)
    report = import_book(con, write_csv(tmp_path / "b.csv", three(phone_e164="+86 1")), now=NOW)
    assert report.borrowers_updated == 0 and report.rows_quarantined == 3
    after = snapshot(con)
    assert {t: after[t] for t in after if t != "import_quarantine"} == \
        {t: before[t] for t in before if t != "import_quarantine"}


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

FIELD_VALUES = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", " ", "-1", "0", "1e400", "NaN", "2026-02-29", "2026-13-01", "+8613812345678", "+1", "zh-CN", "en",
     "Asia/Shanghai", "Etc/GMT+8", "USD", "B1", "L1", "1", "2", "null", "\"", ",", "\n", "😀"]))


@settings(max_examples=int(__import__("os").environ.get("H1_EXAMPLES", "25")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(COLUMNS), FIELD_VALUES, max_size=4), min_size=1, max_size=4))
def test_any_mangled_rows_are_either_loaded_or_quarantined_never_lost(tmp_path_factory, mutations):
    con = db.connect()
    rows = [row(installment_no=str(i + 1), due_date=f"2026-{10 + i % 3}-15") | m for i, m in enumerate(mutations)]
    p = write_csv(tmp_path_factory.mktemp("h") / "book.csv", rows)
    report = import_book(con, p, now=NOW)
    assert report.rows_read == len(rows)
    assert report.rows_loaded + report.rows_quarantined == report.rows_read
    assert count(con, "import_quarantine") == report.rows_quarantined
    assert count(con, "installments") == report.rows_loaded
    again = import_book(con, p, now=NOW)
    assert again.quarantine_rows_new == 0 and again.installments_new == 0
    con.close()


# Issue 9: whole-file problems are one clear line; a GBK export fails once with a hint


def test_a_gbk_loan_file_fails_once_with_a_hint_and_imports_with_encoding(con, tmp_path):
    p = write_csv(tmp_path / "gbk.csv", three(full_name="王伟", first_name="伟"))
    p.write_bytes(p.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(BookFileError, match=r"not UTF-8 \(looks like GB18030/GBK\); re-run with --encoding gb18030"):
        import_book(con, p, now=NOW)
    assert count(con, "import_quarantine") == 0 and count(con, "borrowers") == 0
    report = import_book(con, p, now=NOW, encoding="gb18030")
    assert report.rows_loaded == 3 and report.rows_quarantined == 0
    assert con.execute("SELECT full_name FROM borrowers").fetchone()[0] == "王伟"


def test_truncated_gzip_and_a_directory_are_clear_errors(con, tmp_path):
    p = write_csv(tmp_path / "b.csv", three())
    gz = tmp_path / "b.csv.gz"
    gz.write_bytes(gzip.compress(p.read_bytes())[:-10])
    with pytest.raises(BookFileError, match="truncated or damaged gzip file"):
        import_book(con, gz, now=NOW)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(BookFileError, match="dir.csv: is a directory, not a file"):
        import_book(con, tmp_path / "dir.csv", now=NOW)


def test_import_cli_says_what_is_wrong_without_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from loan_comms.cli import app

    p = write_csv(tmp_path / "gbk.csv", three(full_name="王伟"))
    p.write_bytes(p.read_text(encoding="utf-8").encode("gbk"))
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(b"borrower_id\n" * 100)[:-10])
    (tmp_path / "dir.csv").mkdir()
    dbp = str(tmp_path / "b.duckdb")
    runner = CliRunner()
    for path, message in [(p, "re-run with --encoding gb18030"), (gz, "truncated or damaged gzip file"),
                          (tmp_path / "dir.csv", "is a directory")]:
        result = runner.invoke(app, ["import", str(path), "--db", dbp])
        assert result.exit_code == 2 and message in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["import", str(p), "--db", dbp, "--encoding", "gb18030"])
    assert result.exit_code == 0 and "3 loaded" in result.output, result.output


def test_a_missing_timezone_is_derived_from_the_phone_else_the_jurisdiction(con, tmp_path, cfg):
    """Where the person is: the phone's one zone, else the jurisdiction's first zone (and the policy
    then treats all of them as plausible); only with neither is the borrower quarantined. A +1-800
    number has dozens of zones: it derives nothing."""
    rows = (three("L1", "B1", timezone="", phone_e164="+12135550123", jurisdiction="us")
            + three("L2", "B2", timezone="", phone_e164="+18002345678", jurisdiction="uk",
                    address_timezone="Europe/London")
            + three("L3", "B3", timezone="", phone_e164="+18002345678", jurisdiction="default")
            + three("L4", "B4", address_timezone="Mars/Olympus"))
    p = write_csv(tmp_path / "f.csv", rows)
    zones = {"us": ("America/New_York", "America/Los_Angeles"), "uk": ("Europe/London",)}
    report = import_book(con, p, now=NOW, jurisdiction_zones=zones)
    got = con.execute("SELECT borrower_id, timezone, timezone_source, address_timezone FROM borrowers "
                      "ORDER BY borrower_id").fetchall()
    assert got == [("B1", "America/Los_Angeles", "phone", None),
                   ("B2", "Europe/London", "jurisdiction", "Europe/London")]
    assert report.quarantined == {"missing_timezone": 1, "unknown_timezone": 1, "borrower_quarantined": 4}
    assert any("none from the phone or the jurisdiction" in q["reason"] for q in quarantine(con))


def test_city_and_district_are_imported_and_a_bad_place_is_quarantined(con, tmp_path):
    """Where a home visit goes (issue 16): optional city and district, updated by a later export;
    a value that is not a place name (an e-mail address, a paragraph) is bad_place."""
    rows = (three("L1", "B1", city=" Shanghai ", district="Huangpu") + three("L2", "B2")
            + three("L3", "B3", city="wang@example.com"))
    import_book(con, write_csv(tmp_path / "f.csv", rows), now=NOW)
    got = con.execute("SELECT borrower_id, city, district FROM borrowers ORDER BY borrower_id").fetchall()
    assert got == [("B1", "Shanghai", "Huangpu"), ("B2", None, None)]
    assert [q["reason"] for q in quarantine(con)][0].startswith("city is not a place name")
    report = import_book(con, write_csv(tmp_path / "g.csv", three("L1", "B1", city="Beijing", district="Chaoyang")),
                         now=NOW)
    assert report.borrowers_updated == 1
    assert con.execute("SELECT city, district FROM borrowers WHERE borrower_id = 'B1'").fetchone() == ("Beijing", "Chaoyang")


# Issue 17: the CSV is split three ways (DuckDB for a file without quotes, one csv pass when every
# record is one line, the shared splitter otherwise); an operator sees the same import either way


def _quoted(path: Path, out: Path, *, newline_in: str | None = None) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines()
    quoted = [",".join(f'"{f}"' for f in ln.split(",")) for ln in lines]
    text = "\r\n".join(quoted) + "\r\n"
    if newline_in:
        text = text.replace(newline_in, newline_in.replace(" ", "\n"))
    out.write_text(text, encoding="utf-8")
    return out


def test_a_csv_loads_the_same_whether_plain_quoted_or_with_a_quoted_newline(tmp_path):
    rows = three("L1", "B1", full_name="Wang Wei") + three("L2", "B2", full_name="Emily Clarke", language="en",
                                                          phone_e164="+447912345678", timezone="Europe/London")
    rows[4]["amount_due"] = "-1"   # line 6: quarantined, whichever way the file is split
    plain = write_csv(tmp_path / "plain.csv", rows)
    variants = {"plain": plain, "quoted": _quoted(plain, tmp_path / "quoted.csv"),
                "crlf-only-cr": tmp_path / "cr.csv"}
    variants["crlf-only-cr"].write_bytes(plain.read_bytes().replace(b"\r\n", b"\r"))
    seen = {}
    for name, path in variants.items():
        con = db.connect()
        report = import_book(con, path, now=NOW)
        q = [(r["source_line"], r["reason"]) for r in quarantine(con)]
        seen[name] = (report.rows_read, report.rows_loaded, q,
                      {t: v for t, v in snapshot(con).items() if t != "import_quarantine"})
    assert seen["plain"][2] == [(6, "negative amount_due -1")]
    assert seen["quoted"] == seen["plain"] and seen["crlf-only-cr"] == seen["plain"]
    # a quoted newline in B1's three records moves every later line down by three
    con = db.connect()
    import_book(con, _quoted(plain, tmp_path / "nl.csv", newline_in="Wang Wei"), now=NOW)
    assert [r["source_line"] for r in quarantine(con)] == [9]
    assert con.execute("SELECT full_name FROM borrowers WHERE borrower_id = 'B1'").fetchone()[0] == "Wang\nWei"


def test_paid_amounts_of_loans_whose_ids_contain_colons_are_fed_apart(con, tmp_path):
    """'import:<loan>:<no>[:<n>]' is read per loan: loan L1's installment 2 and loan L1:2's
    installment 1 never mix, also when a later export tops them up."""
    rows = three("L1", "B1") + three("L1:2", "B1")
    rows[1].update(amount_paid="100")      # L1#2
    rows[3].update(amount_paid="200")      # L1:2#1
    import_book(con, write_csv(tmp_path / "a.csv", rows), now=NOW)
    rows[1].update(amount_paid="150")
    rows[3].update(amount_paid="260")
    report = import_book(con, write_csv(tmp_path / "b.csv", rows), now=NOW)
    assert report.payments_new == 2
    feed = con.execute("SELECT payment_id, loan_id, amount FROM payment_feed ORDER BY 1").fetchall()
    assert feed == [("import:L1:2", "L1", Decimal("100.00")), ("import:L1:2:1", "L1:2", Decimal("200.00")),
                    ("import:L1:2:1:2", "L1:2", Decimal("60.00")), ("import:L1:2:2", "L1", Decimal("50.00"))]


def test_an_import_past_its_memory_budget_stops_with_one_line_and_loads_nothing(tmp_path):
    """Staging past the import's DuckDB budget (LOAN_COMMS_IMPORT_MEMORY) is one line naming the
    setting; nothing is loaded, the connection's own limit is given back, and the same file then
    imports under a budget it fits in."""
    from loan_comms.book.synthetic import generate_book, write_book_file

    src = db.connect(tmp_path / "src.duckdb")
    generate_book(src, loans=2000, seed=1, start=date(2026, 11, 1))
    write_book_file(src, tmp_path / "book.parquet", as_of=NOW)
    src.close()
    target = db.connect(tmp_path / "target.duckdb")
    before = target.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    with pytest.raises(BookFileError, match="LOAN_COMMS_IMPORT_MEMORY"):
        import_book(target, tmp_path / "book.parquet", memory="4MB", now=NOW)
    assert target.execute("SELECT count(*) FROM loans").fetchall() == [(0,)]
    assert target.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before
    assert import_book(target, tmp_path / "book.parquet", memory="256MB", now=NOW).loans_new == 2000


def test_a_parquet_file_named_like_a_glob_is_refused_with_one_line(con, tmp_path):
    glob_named = tmp_path / "book[1].parquet"
    glob_named.write_bytes((EXAMPLES / "loan_book.parquet").read_bytes())
    with pytest.raises(BookFileError, match="rename the file"):
        import_book(con, glob_named, now=NOW)
