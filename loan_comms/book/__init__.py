"""The loan book: importing a core-banking export, or generating a synthetic one, into DuckDB.

    import_book(con, path)                     # CSV/Parquet; bad rows quarantined, never fatal
    generate_book(con, loans=..., seed=..., start=...)

SQL: sql/book/import/, sql/book/generate/. Field checks (phones, zones, currencies): validation.py.
"""

from loan_comms.book.importer import BookFileError, ImportReport, import_book
from loan_comms.book.synthetic import BookExistsError, GenerateReport, generate_book, write_book_file

__all__ = ["BookExistsError", "BookFileError", "GenerateReport", "ImportReport", "generate_book", "import_book",
           "write_book_file"]
