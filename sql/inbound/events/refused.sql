-- The rows of events_batch the book refused (see check_book.sql): seq (the record's index in the file), reason.
SELECT seq, reason FROM events_refused ORDER BY seq;
