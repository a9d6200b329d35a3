"""The one reader for inbound files (operator events, dialer exports, receipts, SMS replies).

Why: one malformed row used to cost the whole file (a traceback, nothing recorded, a cease-contact
lost with it). Here a file is read once into `Record`s, each either a row (a JSON object or a CSV
line as a dict) or a problem with its line, so the caller lands every good row and quarantines the
rest. Reading never raises for content: a truncated JSON list yields every complete object before
the cut and then one error record at the line where it broke; a non-object element, an undecodable
line or a field of the wrong type (a list where text is expected) is one error record.

Only a file that cannot be read at all raises `InboundFileError`, with one line that says what to do:
missing, a directory, unreadable, a truncated gzip, or an encoding other than UTF-8 (a GBK/GB18030
file is recognised and the hint names `--encoding gb18030`). A UTF-8 file with a few stray bytes is
readable: the lines holding them are refused one by one, the rest land.

Formats, by suffix (an extra `.gz` is decompressed first): `.csv` (header line), `.json` (one object,
a list of objects, or JSON lines), anything else JSON lines.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.errors import LoanCommsError

RAW_LIMIT = 2000      # characters of the raw row kept in the quarantine table
SHOW_REASONS = 10     # reasons printed under a report (the rest are in the quarantine table)


class InboundFileError(LoanCommsError):
    """The file as a whole cannot be read; the message is one line, safe to print (no file content)."""

    exit_code = 2


class MissingFileError(InboundFileError, FileNotFoundError):
    """The path does not exist (also a FileNotFoundError, for callers that catch that)."""


@dataclass(frozen=True)
class Record:
    """One row of an inbound file: `row` when usable, else `problem`; `raw` is the row's own text."""

    line: int
    row: dict[str, Any] | None
    problem: str | None
    raw: str


# ---------------------------------------------------------------------------------------------
# Bytes and text


def check_encoding(encoding: str | None) -> str | None:
    """The codec name for `--encoding`, or None for the default (UTF-8 with detection)."""
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InboundFileError(f"--encoding {encoding!r}: unknown encoding (try utf-8, gb18030, big5, latin-1)") from None


def read_bytes(path: Path) -> bytes:
    """The file's bytes (gunzipped for `.gz`); a missing, directory, unreadable or truncated file is one clear line."""
    path = Path(path)
    if path.is_dir():
        raise InboundFileError(f"{path}: is a directory, not a file; give the file itself")
    if not path.exists():
        raise MissingFileError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InboundFileError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise InboundFileError(f"{path}: truncated or damaged gzip file ({exc}); "
                                   "re-send the complete file") from None
    return data


def looks_like_gb18030(data: bytes) -> bool:
    """Cheap guess that non-UTF-8 bytes are Chinese in GBK/GB18030: they decode, and most of the
    non-ASCII characters are common simplified Chinese (GB2312). A stray Latin-1 byte in a UTF-8
    file decodes too, but not to GB2312 characters, so it is not mistaken for a GBK file."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return False
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common * 2 >= len(wide)


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, bool]:
    """(text, clean). With `encoding`, strict. Without, UTF-8 (BOM allowed); a file that is not
    UTF-8 as a whole (UTF-16, GBK) fails with a hint; stray invalid bytes in a UTF-8 file are kept
    as surrogates and `clean` is False, so the lines holding them can be refused one by one."""
    codec = check_encoding(encoding)
    if codec is not None:
        try:
            return data.decode("utf-8-sig" if codec == "utf-8" else codec), True
        except UnicodeDecodeError as exc:
            raise InboundFileError(f"{name}: not valid {encoding} (byte offset {exc.start}); "
                                   "check the file's encoding") from None
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        pass
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise InboundFileError(f"{name}: not UTF-8 (looks like UTF-16); re-save as UTF-8 or re-run with --encoding utf-16")
    if looks_like_gb18030(data):
        raise InboundFileError(f"{name}: not UTF-8 (looks like GB18030/GBK); re-run with --encoding gb18030")
    return data.decode("utf-8-sig", errors="surrogateescape"), False


def has_surrogate(value: str) -> bool:
    """True when `value` holds a byte that was not valid UTF-8 (decoded with surrogateescape)."""
    return any("\udc80" <= ch <= "\udcff" for ch in value) if value and not value.isascii() else False


def printable(raw: str) -> str:
    """`raw` with the invalid bytes shown as U+FFFD, so it can be stored and shown."""
    return raw.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace") if has_surrogate(raw) else raw


# ---------------------------------------------------------------------------------------------
# Records


def read_records(path: Path, *, encoding: str | None = None, text_fields: Sequence[str] = ()) -> list[Record]:
    """Every record of one file, in order; see the module docstring. `text_fields` name the fields
    that must be text or numbers when present (a list or object there makes the row an error)."""
    path = Path(path)
    text, clean = decode(read_bytes(path), path.name, encoding)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        records = _csv_records(text)
    elif name.endswith(".json"):
        records = _json_records(text)
    else:
        records = _line_records(text)
    out = []
    for rec in records:
        problem = rec.problem
        if problem is None and not clean and has_surrogate(rec.raw):
            problem = "line is not valid UTF-8"
        if problem is None:
            problem = _field_types(rec.row, text_fields)
        out.append(Record(rec.line, rec.row if problem is None else None, problem, printable(rec.raw)[:RAW_LIMIT]))
    return out


def _field_types(row: dict[str, Any] | None, text_fields: Sequence[str]) -> str | None:
    for f in text_fields:
        value = (row or {}).get(f)
        if isinstance(value, (list, dict)):
            return f"{f} must be text, not a JSON {'list' if isinstance(value, list) else 'object'}"
    return None


def _as_object(line: int, item: Any, raw: str, what: str) -> Record:
    if isinstance(item, dict):
        return Record(line, item, None, raw)
    return Record(line, None, f"{what} is not a JSON object", raw)


def _line_records(text: str) -> Iterator[Record]:
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield Record(no, None, f"not JSON ({getattr(exc, 'msg', exc)})", line)
            continue
        yield _as_object(no, item, line, "line")


class _Lines:
    """Line numbers of character offsets (for elements of a JSON list)."""

    def __init__(self, text: str):
        self.starts = [m.start() for m in re.finditer("\n", text)]

    def of(self, pos: int) -> int:
        return bisect.bisect_left(self.starts, pos) + 1


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _json_records(text: str) -> Iterator[Record]:
    """A .json file: a list of objects (read element by element, so a cut keeps what came before),
    one object, or JSON lines."""
    start = _skip_ws(text, 0)
    if start < len(text) and text[start] == "[":
        yield from _json_list(text, start)
        return
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        if any(_parses(ln) for ln in text.splitlines() if ln.strip()):   # JSON lines, some of them bad
            yield from _line_records(text)
            return
        lines = _Lines(text)
        pos = getattr(exc, "pos", 0)
        yield Record(lines.of(pos), None, f"not JSON ({getattr(exc, 'msg', exc)})", text[:RAW_LIMIT])
        return
    if text.strip():
        yield _as_object(_Lines(text).of(start), doc, text.strip(), "the file")


def _parses(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


_NEXT_ELEMENT = re.compile(r"(?:,|\n)\s*(?=\{)")


def _json_list(text: str, start: int) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    lines = _Lines(text)
    pos = _skip_ws(text, start + 1)
    n = 0
    if pos < len(text) and text[pos] == "]":
        pos += 1
    else:
        while True:
            if pos >= len(text):
                yield Record(lines.of(pos), None, f"JSON list is cut off after element {n} (no closing ]); "
                             "the elements before it were read", "")
                return
            try:
                item, end = decoder.raw_decode(text, pos)
            except (ValueError, RecursionError) as exc:
                at = getattr(exc, "pos", pos)
                resume = _resync(text, pos, decoder)
                if resume is not None:   # a broken element costs itself, not the ones after it
                    n += 1
                    yield Record(lines.of(pos), None, f"element {n} of the JSON list is not valid JSON "
                                 f"({getattr(exc, 'msg', exc)})", text[pos:resume][:RAW_LIMIT])
                    pos = resume
                    continue
                cut = "broken" if text.rstrip().endswith("]") else "cut off"
                yield Record(lines.of(at), None, f"JSON list is {cut} at element {n + 1} "
                             f"({getattr(exc, 'msg', exc)}); the elements before it were read", text[pos:pos + RAW_LIMIT])
                return
            n += 1
            yield _as_object(lines.of(pos), item, text[pos:end], f"element {n}")
            pos = _skip_ws(text, end)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if pos < len(text) and text[pos] == "]":
                pos += 1
                break
            if pos >= len(text):
                continue   # reported as cut off at the top of the loop
            yield Record(lines.of(pos), None, f"JSON list is broken after element {n} (expected , or ]); "
                         "the elements before it were read", text[pos:pos + RAW_LIMIT])
            return
    rest = _skip_ws(text, pos)
    if rest < len(text):
        yield Record(lines.of(rest), None, "text after the end of the JSON list", text[rest:rest + RAW_LIMIT])


def _resync(text: str, pos: int, decoder: json.JSONDecoder) -> int | None:
    """Where the next whole element of a list starts after a broken one at `pos` (an object after a
    comma or a line break that decodes on its own), or None when nothing after it does."""
    for m in _NEXT_ELEMENT.finditer(text, pos + 1):
        try:
            decoder.raw_decode(text, m.end())
        except (ValueError, RecursionError):
            continue
        return m.end()
    return None


def split_csv(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(line the record starts on, fields, None) per CSV record, or (line, None, problem) for a record
    that cannot be split; blank lines are skipped. Shared with the loan-book import, so both number
    lines the same way (quoted newlines count).

    A quoted field may span lines, but a quote that is never closed must not swallow the rest of
    the file: a record stops growing when the next line is, on its own, a whole record as wide as
    the header, and a record whose quote is still open then is refused by itself."""
    lines = _CSV_LINE.findall(text)   # line ends as csv knows them (not str.splitlines's form feeds)
    width: int | None = None
    i = 0
    while i < len(lines):
        start, chunk = i, lines[i]
        i += 1
        while _quote_open(chunk) and i < len(lines):
            if width is not None and _whole_record(lines[i], width):
                break
            chunk += lines[i]
            i += 1
        if _quote_open(chunk):
            yield start + 1, None, "a quoted field is never closed (unbalanced \")"
            continue
        try:
            row = next(csv.reader(io.StringIO(chunk, newline="")), [])
        except csv.Error as exc:
            yield start + 1, None, str(exc)
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        width = width if width is not None else len(row)
        yield start + 1, row, None


_CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


def _quote_open(chunk: str) -> bool:
    """An odd number of quote characters: a quoted field is still open (doubled quotes pair up)."""
    return chunk.count('"') % 2 == 1


def _whole_record(line: str, width: int) -> bool:
    if _quote_open(line) or not line.strip():
        return False
    try:
        return len(next(csv.reader(io.StringIO(line, newline="")), [])) == width
    except csv.Error:
        return False


def _csv_records(text: str) -> Iterator[Record]:
    """CSV with a header line (the first one that is not empty); a row per record after it."""
    records = split_csv(text)
    header: list[str] | None = None
    for line, row, problem in records:
        if problem is not None:
            yield Record(line, None, f"unreadable CSV header ({problem})", "")
            return
        if any(h.strip() for h in row or ()):
            header = [h.strip() for h in row or ()]
            break
    if header is None:
        return
    for line, row, problem in records:
        if row is None:
            yield Record(line, None, f"unreadable CSV record: {problem}", "")
        elif len(row) != len(header):
            yield Record(line, None, f"line has {len(row)} fields, the header has {len(header)}",
                         json.dumps(row, ensure_ascii=False))
        else:
            yield Record(line, dict(zip(header, row)), None, json.dumps(dict(zip(header, row)), ensure_ascii=False))


# ---------------------------------------------------------------------------------------------
# Quarantine and reports

QUARANTINE_SCHEMA = pa.schema([("source_file", pa.string()), ("source_line", pa.int64()), ("entity", pa.string()),
                               ("record_id", pa.string()), ("reason", pa.string()), ("raw", pa.string())])


def quarantine_row(path: Path, rec: Record, entity: str, reason: str, record_id: Any = None) -> dict[str, Any]:
    """One import_quarantine row for a refused record (the file's absolute path, so a re-run matches)."""
    rid = record_id if isinstance(record_id, (str, int)) and not isinstance(record_id, bool) else None
    return dict(source_file=str(Path(path).resolve()), source_line=rec.line, entity=entity,
                record_id=str(rid)[:200] if rid not in (None, "") else None, reason=reason[:500], raw=rec.raw)


def quarantine(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    """Refused records into import_quarantine (once per file, line and entity); returns how many new.
    Call it inside the file's transaction, so refused and landed rows commit together."""
    if not rows:
        return 0
    with db.registered(con, pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA), "_quarantine_rows"):
        return db.changed(con, "inbound/quarantine_insert", {})


def summary(file: str, what: str, read: int, recorded: int, known: int, reasons: Sequence[str], entity: str) -> str:
    """`<file>: <what>: N rows read, R recorded, D already known, Q quarantined` and the first reasons."""
    text = f"{file}: {what}: {read} rows read, {recorded} recorded, {known} already known, {len(reasons)} quarantined"
    text += "".join(f"\n  {r}" for r in reasons[:SHOW_REASONS])
    if len(reasons) > SHOW_REASONS:
        text += f"\n  ... and {len(reasons) - SHOW_REASONS} more"
    if reasons:
        text += (f"\n  The quarantined rows are in import_quarantine (entity '{entity}'): fix them and ingest the file "
                 "again; rows already recorded are skipped.")
    return text
